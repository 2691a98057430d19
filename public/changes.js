// @ts-check
// Edits, deletions and reactions, live: the page's one stream (public/app.js) brings them, and the
// reaction, edit and delete forms send JSON instead of reloading. Without this file the forms work.
import { on } from './stream.js';

(() => {
  const room = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'));
  const slug = room?.dataset.room;

  const messageLi = (id) => document.getElementById(`m-${id}`);

  function replace(m) {
    const old = messageLi(m.id);
    if (!old || !m.html) return;
    const tpl = document.createElement('template');
    tpl.innerHTML = m.html; // rendered and escaped by the server's message partial
    const li = tpl.content.firstElementChild;
    if (!li) return;
    // Keep what the page added to the old one: grouping, local times, the permalink highlight.
    for (const c of ['follow', 'linked']) li.classList.toggle(c, old.classList.contains(c));
    const [t0, t1] = [old.querySelector('time'), li.querySelector('time')];
    if (t0 && t1) Object.assign(t1, { textContent: t0.textContent, title: t0.title });
    old.replaceWith(li);
    document.dispatchEvent(new CustomEvent('chat:message', { detail: li }));
  }

  function tombstone(id) {
    const li = messageLi(id);
    if (!li) return;
    li.classList.add('deleted');
    li.querySelectorAll('.reactions, .attachments, .edited, .more, .inline-edit, .actions-menu, .picker').forEach((el) => el.remove());
    const body = Object.assign(document.createElement('div'), { className: 'body tombstone' });
    body.append(Object.assign(document.createElement('em'), { textContent: 'This message was deleted.' }));
    li.querySelector('.body')?.replaceWith(body);
  }

  /** The reactions bar of a message, drawn from data with textContent only. */
  function drawReactions(id, reactions, roomSlug) {
    const bar = /** @type {HTMLElement | null} */ (document.querySelector(`.reactions[data-for="${CSS.escape(id)}"]`));
    if (!bar) return;
    const list = Object.entries(reactions || {});
    bar.replaceChildren(...list.map(([emoji, names]) => {
      const form = Object.assign(document.createElement('form'), { method: 'post', className: 'reaction' });
      form.action = `/rooms/${encodeURIComponent(roomSlug)}/messages/${encodeURIComponent(id)}/reactions`;
      const button = Object.assign(document.createElement('button'), { type: 'submit', name: 'emoji', value: emoji, title: names.join(', ') });
      button.setAttribute('aria-label', `${emoji} ${names.length} from ${names.join(', ')}`);
      const count = Object.assign(document.createElement('span'), { className: 'count', textContent: String(names.length) });
      button.append(`${emoji} `, count);
      form.append(button);
      return form;
    }));
    bar.hidden = list.length === 0;
  }

  const mine = (data) => data.room === slug && room?.dataset.live === 'on';
  on('edit', (e) => { const m = JSON.parse(e.data); if (mine(m)) replace(m); });
  on('delete', (e) => { const d = JSON.parse(e.data); if (mine(d)) tombstone(d.id); });
  on('reaction', (e) => { const d = JSON.parse(e.data); if (d.room === slug) drawReactions(d.id, d.reactions, d.room); });

  // The forms, as JSON: /rooms/<slug>/messages/<id>/<action> has a twin under /api.
  const ACTION = /^\/rooms\/([^/]+)\/messages\/(\d+)\/(reactions|edit|delete)$/;
  document.addEventListener('submit', async (e) => {
    const form = e.target;
    const match = form instanceof HTMLFormElement && ACTION.exec(new URL(form.action, location.href).pathname);
    if (!match || e.defaultPrevented) return;
    e.preventDefault();
    const [, roomSlug, id, action] = match;
    const api = `/api/rooms/${roomSlug}/messages/${id}`;
    const send = (method, path, body) => fetch(path, {
      method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: body && JSON.stringify(body),
    });
    const button = /** @type {HTMLButtonElement | null} */ (e.submitter);
    if (button) button.disabled = true;
    try {
      let res;
      if (action === 'reactions') {
        res = await send('POST', `${api}/reactions`, { emoji: button?.value ?? '' });
        if (res.ok) drawReactions(id, (await res.json()).reactions, decodeURIComponent(roomSlug));
      } else if (action === 'edit') {
        res = await send('PATCH', api, { body: /** @type {HTMLTextAreaElement} */ (form.elements.namedItem('body')).value });
        if (res.ok) location.reload();
      } else {
        res = await send('DELETE', api);
        if (res.ok) location.assign(`/rooms/${roomSlug}#latest`);
      }
      if (!res.ok) alertOf(form, (await res.json().catch(() => ({}))).error || `That did not work (${res.status}).`);
    } catch {
      alertOf(form, 'Could not reach the server. Try again.');
    } finally {
      if (button) button.disabled = false;
    }
  });

  function alertOf(form, text) {
    let p = form.querySelector('.error');
    if (!p) {
      p = Object.assign(document.createElement('p'), { className: 'error' });
      p.setAttribute('role', 'alert');
      form.append(p);
    }
    p.textContent = text;
  }
})();
