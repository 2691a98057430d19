// @ts-check
// Unread and mention badges, live, and the tab title's count; reading the open room while it is
// visible and scrolled to the bottom moves the read mark; a read on another device clears badges
// here (event: read); browser notifications for what the room's level asks for.
import { on, open as openStream } from './stream.js';

(() => {
  const me = document.querySelector('.who .me strong')?.textContent ?? '';
  if (!me) return;
  const room = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'));
  const slug = room?.dataset.room ?? null;
  const live = room?.dataset.live === 'on';
  const baseTitle = document.title;
  /** Every badge box of a room (the sidebar's and the room list's). */
  const badgesOf = (/** @type {string} */ s) => /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(`[data-badges="${CSS.escape(s)}"]`));
  const allBadges = () => /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-badges]'));
  const info = (s) => badgesOf(s)[0]?.dataset;

  function draw(s, unread, mentions) {
    for (const el of badgesOf(s)) {
      Object.assign(el.dataset, { unread: String(unread), mentions: String(mentions) });
      const badge = (cls, text, label) => {
        const b = Object.assign(document.createElement('span'), { className: `badge ${cls}`, textContent: text });
        b.append(Object.assign(document.createElement('span'), { className: 'sr-only', textContent: label }));
        return b;
      };
      const n = (v) => (v > 99 ? '99+' : String(v));
      el.replaceChildren(...(mentions > 0 ? [badge('mention', `@${n(mentions)}`, ' mentions of you')] : []),
        ...(unread > 0 ? [badge('unread', n(unread), ' unread')] : []));
    }
    retitle();
  }
  function retitle() {
    const counts = new Map([...allBadges()].map((el) => [el.dataset.badges, Number(el.dataset.unread)]));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    document.title = total > 0 ? `(${total > 99 ? '99+' : total}) ${baseTitle}` : baseTitle;
  }
  const bump = (s, mention) => { const d = info(s); if (d) draw(s, Number(d.unread) + 1, Number(d.mentions) + (mention ? 1 : 0)); };
  retitle();

  // The server's counts, after changes the stream cannot count (deletions, rooms, reads elsewhere).
  let refreshTimer = 0;
  const refresh = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      const res = await fetch('/api/rooms', { headers: { accept: 'application/json' } }).catch(() => null);
      if (!res?.ok) return;
      const { rooms } = await res.json();
      const known = new Set(rooms.map((r) => r.slug));
      const hadIt = slug !== null && badgesOf(slug).length > 0;
      for (const el of allBadges()) if (!known.has(el.dataset.badges)) el.closest('li')?.remove();
      // The open room gone (removed, deactivated, deleted) or archived: the page says so (public/app.js).
      const here = rooms.find((r) => r.slug === slug);
      if (hadIt && (!here || here.archived)) {
        // Archived rooms leave the list but stay readable; a room the person lost answers 404.
        const still = here ?? (await fetch(`/api/rooms/${encodeURIComponent(slug)}/messages?limit=1`).catch(() => null))?.ok;
        document.dispatchEvent(new CustomEvent('chat:room-closed', { detail: still ? 'archived' : 'gone' }));
      }
      for (const r of rooms) {
        if (badgesOf(r.slug).length === 0) addRoom(r);
        for (const el of badgesOf(r.slug)) Object.assign(el.dataset, { title: r.title, level: r.level, kind: r.kind });
        draw(r.slug, r.slug === slug && seeing() ? 0 : r.unread, r.mentions);
      }
    }, 300);
  };
  function addRoom(r) {
    const list = /** @type {HTMLElement | null} */ (document.querySelector(r.kind === 'direct' ? 'ul[aria-labelledby="nav-directs"], ul[aria-labelledby="directs-heading"]' : 'ul[aria-labelledby="nav-rooms"], ul[aria-labelledby="rooms-heading"]'));
    if (!list) return;
    const heading = list.getAttribute('aria-labelledby') ?? '';
    list.hidden = false;
    const title = document.getElementById(heading);
    if (title) title.hidden = false;
    document.querySelector(`[data-empty-for="${heading}"]`)?.remove();
    const a = Object.assign(document.createElement('a'), { href: `/rooms/${encodeURIComponent(r.slug)}#latest` });
    const mark = Object.assign(document.createElement('span'), { textContent: r.kind === 'direct' ? '@' : '#' });
    mark.setAttribute('aria-hidden', 'true');
    const badges = Object.assign(document.createElement('span'), { className: 'badges' });
    Object.assign(badges.dataset, { badges: r.slug, kind: r.kind, title: r.title, level: r.level, unread: '0', mentions: '0' });
    a.append(mark, ` ${r.title}`, badges);
    const li = document.createElement('li');
    li.append(a);
    list.append(li);
  }

  const mentionsMe = (m) => {
    const tpl = document.createElement('template');
    tpl.innerHTML = m.html || '';
    return [...tpl.content.querySelectorAll('.mention')].some((el) => el.textContent.toLowerCase() === `@${me.toLowerCase()}`);
  };

  // The open room is read while the tab is visible and scrolled to the bottom: at most one write a
  // second per tab, however busy the room.
  const page = document.documentElement;
  const seeing = () => live && document.visibilityState === 'visible' && innerHeight + scrollY >= page.scrollHeight - 64;
  let cursor = room?.dataset.cursor ?? '';
  let unseen = false;
  let readTimer = 0;
  // At once when nothing was written in the last second (so leaving right after reading loses
  // nothing), otherwise once at the end of that second. keepalive: leaving cannot cancel it.
  let lastRead = 0;
  const maybeRead = () => {
    if (!unseen || !seeing() || readTimer) return;
    readTimer = setTimeout(async () => {
      readTimer = 0;
      if (!unseen || !seeing()) return;
      unseen = false;
      lastRead = Date.now();
      const res = await fetch(`/api/rooms/${encodeURIComponent(slug)}/read`, {
        method: 'POST', keepalive: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cursor }),
      }).catch(() => null);
      if (!res?.ok) unseen = true;
    }, Math.max(0, lastRead + 1000 - Date.now()));
  };
  // Leaving or hiding the page within the second still reads what was seen: the newest message
  // the reader was at when last looking. keepalive lets the request outlive the page.
  let seenCursor = '';
  const look = () => { if (seeing()) seenCursor = cursor; };
  const flushRead = () => {
    if (!seenCursor || !unseen) return;
    unseen = seenCursor !== cursor;
    clearTimeout(readTimer);
    readTimer = 0;
    fetch(`/api/rooms/${encodeURIComponent(slug)}/read`, {
      method: 'POST', keepalive: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cursor: seenCursor }),
    }).catch(() => {});
  };
  addEventListener('scroll', () => { look(); maybeRead(); }, { passive: true });
  addEventListener('pagehide', flushRead);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flushRead(); else maybeRead(); });
  addEventListener('focus', maybeRead);

  function notify(m, mention) {
    if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden) return;
    const d = info(m.room);
    const level = d?.kind === 'direct' ? 'everything' : d?.level ?? 'everything';
    if (level === 'nothing' || (level === 'mentions' && !mention)) return;
    const where = d?.kind === 'direct' ? '' : ` in #${d?.title ?? m.room}`;
    const n = new Notification(`${m.author}${where}`, { body: (m.body || '').slice(0, 200), tag: `m-${m.id}` });
    n.onclick = () => { focus(); location.assign(`/rooms/${encodeURIComponent(m.room)}#latest`); n.close(); };
  }
  if ('Notification' in window && Notification.permission === 'default') {
    const ask = Object.assign(document.createElement('button'), {
      type: 'button', className: 'ghost notify-me', textContent: 'Notify me', title: 'Notifications of new messages while this tab is hidden' });
    ask.addEventListener('click', () => Notification.requestPermission().then(() => ask.remove()));
    // Beside the room links (the sidebar, the room list), never in the header a phone has no room in.
    const nav = document.querySelector('.room-nav .nav-more');
    if (nav) nav.append(' · ', ask);
    else if (document.querySelector('[data-badges]')) document.querySelector('.card-page .lead')?.after(ask);
  }

  {
    const seen = (e) => { cursor = e.lastEventId || cursor; return JSON.parse(e.data); };
    on('message', (e) => {
      const m = seen(e);
      if (m.author === me) return;
      const mention = mentionsMe(m);
      notify(m, mention);
      if (m.room === slug && live) {
        unseen = true;
        if (seeing()) { look(); return maybeRead(); }
      }
      bump(m.room, mention);
    });
    // A read elsewhere may have stopped short of what this tab counted since: ask for the exact counts.
    on('read', (e) => { const d = seen(e); draw(d.room, 0, 0); if (d.room !== slug || !seeing()) refresh(); });
    for (const kind of ['edit', 'delete', 'room']) on(kind, (e) => { if (seen(e).room !== slug || kind === 'room') refresh(); });
    on('reaction', seen);
  }
  // Pages without a room (the room list) open the tab's one stream here.
  if (!room && document.querySelector('[data-badges]')) {
    let after = /** @type {HTMLElement | null} */ (document.querySelector('[data-cursor]'))?.dataset.cursor ?? '';
    const open = () => {
      const source = openStream(after ? `/events?after=${encodeURIComponent(after)}` : '/events');
      // Too far behind to resume: the counts come from the server, the stream starts afresh.
      source.addEventListener('reload', () => { source.close(); after = ''; refresh(); setTimeout(open, 1000); });
    };
    open();
  }
})();
