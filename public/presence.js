// "Here now" (Documentation/presence.md): the room header's list, kept current by event: presence
// on the page's stream. public/app.js announces each stream it opens (window.chatStream, and the
// chat:stream event on reconnects); every new stream starts with the room's list.
(() => {
  const list = document.querySelector('#here .here-people');
  const room = document.querySelector('.room[data-room]');
  if (!list || !room) return;
  const show = (e) => {
    const data = JSON.parse(e.data);
    if (data.room !== room.dataset.room) return;
    list.replaceChildren(...data.people.map((name) => {
      const li = document.createElement('li');
      li.append(document.createElement('bdi'));
      li.firstChild.textContent = name;
      return li;
    }));
  };
  const attached = new WeakSet();
  const attach = (source) => {
    if (!source || attached.has(source)) return;
    attached.add(source);
    source.addEventListener('presence', show);
  };
  document.addEventListener('chat:stream', (e) => attach(e.detail));
  attach(window.chatStream);
})();
