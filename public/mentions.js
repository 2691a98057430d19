// @ts-check
// @name: the reader's own mentions stand out, and the composer completes names of the room's people.
(() => {
  const me = (document.querySelector('.who .me strong')?.textContent ?? '').toLowerCase();
  const list = document.getElementById('messages');
  const markMine = (root) => {
    if (!me) return;
    for (const el of root.querySelectorAll('.mention')) el.classList.toggle('me', el.textContent.toLowerCase() === `@${me}`);
  };
  if (list) {
    markMine(list);
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) markMine(n);
    }).observe(list, { childList: true });
  }

  const room = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'));
  const form = /** @type {HTMLFormElement | null | undefined} */ (room?.querySelector('form.post'));
  const box = form?.querySelector('textarea');
  if (!box) return;
  const slug = room.dataset.room;

  let people = null;
  const load = () => (people ??= fetch(`/api/rooms/${encodeURIComponent(slug)}/people`, { headers: { accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : { people: [] }))
    .then((d) => d.people, () => []));

  const menu = Object.assign(document.createElement('ul'), { id: 'mention-menu', className: 'mention-menu', hidden: true });
  menu.setAttribute('role', 'listbox');
  menu.setAttribute('aria-label', 'People to mention');
  box.after(menu);
  box.setAttribute('aria-controls', menu.id);
  box.setAttribute('aria-autocomplete', 'list');
  let matches = [];
  let active = 0;
  let start = -1;

  const close = () => {
    menu.hidden = true;
    matches = [];
    box.removeAttribute('aria-activedescendant');
  };
  function show() {
    menu.replaceChildren(...matches.map((name, i) => {
      const li = Object.assign(document.createElement('li'), { id: `mention-${i}`, textContent: `@${name}` });
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === active));
      li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
      return li;
    }));
    menu.hidden = matches.length === 0;
    if (matches.length) box.setAttribute('aria-activedescendant', `mention-${active}`);
  }
  function pick(i) {
    const name = matches[i];
    if (!name) return;
    const end = box.selectionStart;
    box.setRangeText(`@${name} `, start, end, 'end');
    close();
    box.focus();
  }

  // Matches what is typed now, whenever the names arrive.
  const update = (names) => {
    const before = box.value.slice(0, box.selectionStart);
    const m = /(^|[^\p{L}\p{N}_.-])@([A-Za-z0-9._-]{0,32})$/u.exec(before);
    if (!m) return close();
    start = before.length - m[2].length - 1;
    const prefix = m[2].toLowerCase();
    matches = names.filter((n) => n.toLowerCase().startsWith(prefix) && n.toLowerCase() !== me).slice(0, 6);
    active = 0;
    show();
  };
  box.addEventListener('input', () => {
    if (!/@[A-Za-z0-9._-]{0,32}$/.test(box.value.slice(0, box.selectionStart))) return close();
    load().then(update);
  });
  box.addEventListener('blur', () => setTimeout(close, 100));
  // Before the composer's own Enter-sends handler (public/app.js): capture on the form.
  form.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (menu.hidden || e.target !== box) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      active = (active + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
      show();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      pick(active);
    } else if (e.key === 'Escape') {
      close();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }, true);
})();
