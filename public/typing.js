// @ts-check
// "ann is typing…" (Documentation/push.md, Typing): the post box tells the room (POST
// /api/rooms/<slug>/typing, at most every 3 s while keys are pressed), and event: typing on the
// tab's stream (public/stream.js) shows who, for a few seconds or until their message arrives.
import { on } from './stream.js';

(() => {
  const room = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'));
  const form = document.querySelector('form.post');
  if (!room || !form) return;
  const slug = room.dataset.room;
  const box = /** @type {HTMLTextAreaElement | null} */ (form.querySelector('textarea[name="body"]'));
  const line = document.createElement('p');
  line.className = 'typing';
  line.setAttribute('aria-live', 'polite');
  form.before(line);
  /** @type {Map<string, ReturnType<typeof setTimeout>>} */
  const typists = new Map();
  const show = () => {
    const names = [...typists.keys()];
    line.textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  };
  const done = (/** @type {string} */ name) => {
    clearTimeout(typists.get(name));
    typists.delete(name);
    show();
  };
  on('typing', (e) => {
    const data = JSON.parse(e.data);
    if (data.room !== slug) return;
    clearTimeout(typists.get(data.name));
    typists.set(data.name, setTimeout(() => done(data.name), 4000));
    show();
  });
  on('message', (e) => {
    const m = JSON.parse(e.data);
    if (m.room === slug && typists.has(m.author)) done(m.author);
  });
  let sent = 0;
  box?.addEventListener('input', () => {
    if (!box.value.trim() || Date.now() - sent < 3000) return;
    sent = Date.now();
    fetch(`/api/rooms/${encodeURIComponent(slug)}/typing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => {});
  });
  form.addEventListener('posted', () => { sent = 0; });
})();
