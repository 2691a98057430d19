// "ann is typing…": the post box tells the room (POST /api/rooms/<slug>/typing, at most every 3 s
// while keys are pressed), and event: typing on the page's stream shows who, for a few seconds.
(() => {
  const room = document.querySelector('.room[data-room]');
  const form = document.querySelector('form.post');
  if (!room || !form) return;
  const slug = room.dataset.room;
  const box = form.querySelector('textarea[name="body"]');
  const line = document.createElement('p');
  line.className = 'typing';
  line.setAttribute('aria-live', 'polite');
  form.before(line);
  const typists = new Map();
  const show = () => {
    const names = [...typists.keys()];
    line.textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…`
      : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  };
  const heard = (e) => {
    const data = JSON.parse(e.data);
    if (data.room !== slug) return;
    clearTimeout(typists.get(data.name));
    typists.set(data.name, setTimeout(() => {
      typists.delete(data.name);
      show();
    }, 4000));
    show();
  };
  const attached = new WeakSet();
  const attach = (source) => {
    if (!source || attached.has(source)) return;
    attached.add(source);
    source.addEventListener('typing', heard);
    // Their message arrived: they are done typing.
    source.addEventListener('message', (e) => {
      const m = JSON.parse(e.data);
      if (m.room !== slug || !typists.has(m.author)) return;
      clearTimeout(typists.get(m.author));
      typists.delete(m.author);
      show();
    });
  };
  document.addEventListener('chat:stream', (e) => attach(e.detail));
  attach(window.chatStream);
  let sent = 0;
  box?.addEventListener('input', () => {
    if (!box.value.trim() || Date.now() - sent < 3000) return;
    sent = Date.now();
    fetch(`/api/rooms/${encodeURIComponent(slug)}/typing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => {});
  });
  form.addEventListener('posted', () => { sent = 0; });
})();
