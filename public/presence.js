// @ts-check
// "Here now" (Documentation/presence.md): the room header's list, kept current by event: presence
// on the tab's stream (public/stream.js); every new stream starts with the room's list.
import { on } from './stream.js';

(() => {
  const list = document.querySelector('#here .here-people');
  const room = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'));
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
  on('presence', show);
})();
