// @ts-check
// Progressive enhancement: every page works without this file; it adds live updates, posting
// without a reload, local times and scrolling. No framework, no build step, no inline code (CSP).
import { open } from './stream.js';

(() => {
  const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const day = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
  const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
  const longDay = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const GROUP_MS = 5 * 60_000;

  function localTime(el) {
    const d = new Date(el.dateTime);
    if (Number.isNaN(d.getTime())) return;
    const today = d.toDateString() === new Date().toDateString();
    el.textContent = today ? clock.format(d) : `${day.format(d)}, ${clock.format(d)}`;
    el.title = full.format(d);
  }
  document.querySelectorAll('time[datetime]').forEach(localTime);

  // Day dividers in local time: the server drew them in UTC.
  const dayKey = (li) => new Date(li.querySelector('time')?.dateTime ?? '').toDateString();
  function dayLabel(key) {
    const d = new Date(key);
    const today = new Date();
    if (key === today.toDateString()) return 'Today';
    if (key === new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1).toDateString()) return 'Yesterday';
    return longDay.format(d);
  }
  function divider(key) {
    const li = document.createElement('li');
    li.className = `day-divider${key === new Date().toDateString() ? ' today' : ''}`;
    li.dataset.day = key;
    li.append(Object.assign(document.createElement('span'), { textContent: dayLabel(key) }));
    return li;
  }
  function redrawDays(list) {
    list.querySelectorAll('.day-divider').forEach((d) => d.remove());
    let last = '';
    for (const li of list.querySelectorAll('.message')) {
      const key = dayKey(li);
      if (key !== last) li.before(divider(key));
      last = key;
    }
  }
  const lastDay = (list) => {
    const all = list.querySelectorAll('.message');
    return all.length ? dayKey(all[all.length - 1]) : '';
  };

  // "Copy link" beside a link to hand out (join and reset links); without the script the field is selectable.
  for (const button of document.querySelectorAll(/** @type {'button'} */ ('button[data-copy]'))) {
    const field = /** @type {HTMLInputElement | null} */ (document.getElementById(button.dataset.copy ?? ''));
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      await navigator.clipboard.writeText(field.value).catch(() => field.select());
      button.textContent = 'Copied';
      setTimeout(() => { button.textContent = 'Copy link'; }, 2000);
    });
  }

  const room = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'));
  if (!room) return;
  const slug = room.dataset.room;
  const list = document.getElementById('messages');
  const jump = document.getElementById('jump');
  const status = document.getElementById('status');
  const form = /** @type {HTMLFormElement | null} */ (room.querySelector('form.post'));
  const hint = document.getElementById('post-help');
  if (hint) hint.hidden = false;
  redrawDays(list);

  // Messages by one author within a few minutes read as one block.
  const stamp = (li) => Date.parse(li.querySelector('time')?.dateTime ?? '');
  function group(li) {
    const prev = li.previousElementSibling;
    const same = prev && prev.dataset.author === li.dataset.author && stamp(li) - stamp(prev) < GROUP_MS;
    li.classList.toggle('follow', Boolean(same));
  }
  list.querySelectorAll('.message').forEach(group);

  const page = document.documentElement;
  const atBottom = () => innerHeight + scrollY >= page.scrollHeight - 64;
  const toBottom = () => { scrollTo(0, page.scrollHeight); jump.hidden = true; };
  jump.addEventListener('click', toBottom);
  addEventListener('scroll', () => { if (!jump.hidden && atBottom()) jump.hidden = true; }, { passive: true });

  function insert(m) {
    if (document.getElementById(`m-${m.id}`)) return;
    const follow = atBottom();
    const tpl = document.createElement('template');
    tpl.innerHTML = m.html; // rendered and escaped by the server's message partial
    const li = tpl.content.firstElementChild;
    if (!li) return;
    const before = lastDay(list);
    list.append(li);
    if (dayKey(li) !== before) li.before(divider(dayKey(li)));
    li.querySelectorAll('time[datetime]').forEach(localTime);
    group(li);
    if (follow) toBottom();
    else jump.hidden = false;
  }

  // Removed from the room or the room archived while open: say so for good and close the box.
  let closed = '';
  document.addEventListener('chat:room-closed', (/** @type {Event} */ event) => {
    const e = /** @type {CustomEvent<string>} */ (event);
    closed = e.detail === 'archived' ? 'This room was archived: it can be read, not posted to.' : 'You are no longer a member of this room.';
    status.hidden = false;
    status.classList.add('down', 'closed');
    status.textContent = closed;
    form?.querySelectorAll(/** @type {'textarea'} */ ('textarea, button, input')).forEach((el) => { el.disabled = true; });
  });

  function setStatus(live) {
    if (closed) return;
    status.hidden = false;
    status.classList.toggle('down', !live);
    status.textContent = live ? 'Live' : 'Reconnecting…';
  }

  // One stream per tab (GET /events): every room the person may read, one cursor. The open room's
  // messages go into the list; public/changes.js and public/unread.js take the rest.
  const live = room.dataset.live === 'on';
  {
    if (live && (!location.hash || location.hash === '#latest')) {
      toBottom();
      addEventListener('load', toBottom, { once: true });
    }
    // Start right after the newest message on the page: nothing between render and connect is lost.
    // Older pages show no new messages: their stream starts now, for the sidebar. ?room= names the
    // room this tab shows, for who is here now.
    let cursor = live ? room.dataset.cursor : '';
    let retryMs = 1000;
    let es = null;
    // The server sends a ping event every 15 s. A dead replica behind a proxy, or a host gone
    // without closing its sockets, leaves the stream open and silent: after two missed pings
    // give up on it and open a new one from the last cursor, on whichever replica answers.
    const SILENCE_MS = 30_000;
    let watchdog = 0;
    const heard = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => { setStatus(false); connect(); }, SILENCE_MS);
    };
    const connect = () => {
      // The tab's one stream (public/stream.js): the other scripts listen on it too.
      // A visitor without an account reads a public room's own stream; members, every room they may read.
      const url = room.dataset.stream === '/events'
        ? `/events?room=${encodeURIComponent(slug)}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`
        : `${room.dataset.stream}${cursor ? `?after=${encodeURIComponent(cursor)}` : ''}`;
      const source = open(url);
      es = source;
      heard();
      source.onopen = () => { retryMs = 1000; heard(); setStatus(true); };
      source.onmessage = (e) => {
        heard();
        cursor = e.lastEventId || cursor;
        const m = JSON.parse(e.data);
        if (live && m.room === slug) insert(m);
      };
      for (const kind of ['edit', 'delete', 'reaction', 'room', 'read']) {
        source.addEventListener(kind, (e) => { heard(); cursor = e.lastEventId || cursor; });
      }
      source.addEventListener('ping', heard);
      // Resuming would cost the server too much: start over from a fresh page.
      source.addEventListener('reload', () => {
        clearTimeout(watchdog);
        source.close();
        setStatus(false);
        location.reload();
      });
      // The session ended (signed out here or elsewhere, a new password, deactivated): stop
      // reconnecting, say so, and take the box away, since nothing sent from it would arrive.
      source.addEventListener('signed-out', () => {
        clearTimeout(watchdog);
        source.close();
        es = null;
        status.hidden = false;
        status.classList.add('down');
        status.textContent = 'Signed out';
        document.querySelector('#here .here-people')?.replaceChildren();
        form?.querySelectorAll('textarea, button, input').forEach((el) => { /** @type {HTMLInputElement} */ (el).disabled = true; });
      });
      // An admin deleted the open room: its messages are gone; stop, say so, take the box away.
      source.addEventListener('room', (e) => {
        const d = JSON.parse(e.data);
        if (d.change !== 'deleted' || d.room !== slug) return;
        clearTimeout(watchdog);
        source.close();
        es = null;
        status.hidden = false;
        status.classList.add('down');
        status.textContent = 'This room was deleted';
        room.querySelectorAll('.messages > li').forEach((li) => li.remove());
        form?.querySelectorAll('textarea, button, input').forEach((el) => { /** @type {HTMLInputElement} */ (el).disabled = true; });
      });
      source.onerror = () => {
        if (source !== es) return;
        setStatus(false);
        // CONNECTING: the browser retries by itself with Last-Event-ID. CLOSED (an error answer): we retry.
        if (source.readyState !== EventSource.CLOSED) return;
        setTimeout(() => { if (source === es) connect(); }, retryMs);
        retryMs = Math.min(retryMs * 2, 15_000);
      };
    };
    connect();
  }

  if (form) enhanceForm(form);

  function enhanceForm(form) {
    const box = form.querySelector('textarea');
    const send = form.querySelector('button[type="submit"]');
    const error = /** @type {HTMLElement} */ (form.querySelector('#post-error'));
    // A draft left by a post refused for signing out survives the trip through the sign-in page.
    const draftKey = `draft:${slug}`;
    const store = (() => { try { return window.sessionStorage; } catch { return null; } })();
    const saved = store?.getItem(draftKey);
    if (saved && !box.value) box.value = saved;
    store?.removeItem(draftKey);

    const showError = (...parts) => {
      error.replaceChildren(...parts);
      error.hidden = parts.length === 0;
    };
    function explain(res, data) {
      const wait = Number(res.headers.get('retry-after')) || 1;
      switch (res.status) {
        case 401: {
          store?.setItem(draftKey, box.value);
          const a = Object.assign(document.createElement('a'), { href: `/login?next=/rooms/${encodeURIComponent(slug)}`, textContent: 'Sign in again' });
          return [a, ' to post; your message will wait here.'];
        }
        case 429: return [`You are posting too fast. Wait ${wait} s, then send again; your message is kept.`];
        case 503: return ['The server could not take the message just now. Try again in a moment; your message is kept.'];
        default: return [data.error || `Sending failed (${res.status}).`];
      }
    }

    let sending = false;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = box.value;
      // Files waiting in the composer (public/files.js) go with the message; their names stand in for empty text.
      const files = form.dataset.attachments ? form.dataset.attachments.split(',') : [];
      if (sending || (!text.trim() && files.length === 0)) return;
      sending = true;
      send.disabled = true;
      try {
        const res = await fetch(form.action, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(files.length ? { body: text.trim() ? text : form.dataset.attachmentNames, attachments: files } : { body: text }),
        });
        // The message itself arrives through the event stream, like everyone else's.
        if (res.ok) {
          showError();
          if (box.value === text) box.value = '';
          form.dispatchEvent(new Event('posted'));
          // Older pages have no stream: go where the new message is.
          if (room.dataset.live !== 'on') location.assign(`/rooms/${encodeURIComponent(slug)}#latest`);
          toBottom();
        } else {
          showError(...explain(res, await res.json().catch(() => ({}))));
        }
      } catch {
        showError('Could not reach the server. Check the connection and try again; your message is kept.');
      } finally {
        sending = false;
        send.disabled = false;
        box.focus();
      }
    });

    box.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
      e.preventDefault();
      form.requestSubmit();
    });
  }
})();
