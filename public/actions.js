// @ts-check
// The actions menu of a message (Campfire's and Slack's way): a "⋯" button on each message, shown
// on hover and keyboard focus, always on touch screens, and a long press: reply, react, edit,
// delete, copy link. Without this file the message's time leads to its page, where forms do the same.
import { startEdit } from './edit-inline.js';
import { openPicker } from './picker.js';

(() => {
  const room = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'));
  const list = document.getElementById('messages');
  if (!room || !list) return;
  document.documentElement.classList.add('has-actions');
  const me = document.querySelector('.who .me strong')?.textContent ?? '';
  const admin = Boolean(document.querySelector('.who a[href="/admin/people"]'));
  const box = /** @type {HTMLTextAreaElement | null} */ (room.querySelector('form.post textarea'));

  const menu = Object.assign(document.createElement('div'), { className: 'actions-menu', hidden: true });
  menu.setAttribute('role', 'menu');
  /** @type {HTMLButtonElement | null} */
  let opener = null;

  const items = () => /** @type {HTMLButtonElement[]} */ ([...menu.querySelectorAll('[role="menuitem"]')]);
  function item(label, run) {
    const b = Object.assign(document.createElement('button'), { type: 'button', textContent: label, tabIndex: -1 });
    b.setAttribute('role', 'menuitem');
    b.addEventListener('click', () => run(b));
    return b;
  }

  function close(refocus = false) {
    if (menu.hidden) return;
    menu.hidden = true;
    opener?.setAttribute('aria-expanded', 'false');
    opener?.closest('.message')?.classList.remove('menu-open');
    if (refocus) opener?.focus();
    opener = null;
  }

  function open(/** @type {HTMLButtonElement} */ button, focusFirst = true) {
    close();
    const li = /** @type {HTMLLIElement | null} */ (button.closest('.message'));
    if (!li || li.classList.contains('deleted')) return;
    opener = button;
    const author = li.dataset.author ?? '';
    const link = new URL(button.dataset.link ?? '', location.href).href;
    menu.setAttribute('aria-label', `Message by ${author}`);
    menu.replaceChildren(
      ...(box && !box.disabled ? [item('Reply', () => { close(); reply(li, author, button.dataset.link ?? ''); })] : []),
      ...(me ? [item('React', () => { close(); openPicker(li, button); })] : []),
      ...(me && author === me ? [item('Edit', () => { close(); void startEdit(li); })] : []),
      ...(me && (author === me || admin) ? [item('Delete', () => { close(); void remove(li); })] : []),
      item('Copy link', (b) => copy(b, link)),
    );
    li.append(menu);
    li.classList.add('menu-open');
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    if (focusFirst) items()[0]?.focus();
  }

  /** Campfire's reply: the message quoted into the box, with a link to it (src/messages/markdown.ts links a permalink path). */
  function reply(/** @type {HTMLElement} */ li, author, link) {
    if (!box) return;
    const text = (/** @type {HTMLElement | null} */ (li.querySelector('.body'))?.innerText ?? '').trim();
    const quote = `${text.split('\n').map((line) => `> ${line}`).join('\n')}\n> — [${author}](${link})\n\n`;
    box.value = box.value ? `${box.value.replace(/\s*$/, '\n\n')}${quote}` : quote;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }

  async function remove(/** @type {HTMLElement} */ li) {
    if (!confirm('Delete this message? Its text is gone for everyone, for good.')) return;
    const id = li.id.slice(2);
    const res = await fetch(`/api/rooms/${encodeURIComponent(room?.dataset.room ?? '')}/messages/${id}`, { method: 'DELETE', headers: { accept: 'application/json' } }).catch(() => null);
    if (!res?.ok) alert(res ? `The message could not be deleted (${res.status}).` : 'Could not reach the server. Try again.');
    box?.focus();
  }

  async function copy(/** @type {HTMLButtonElement} */ b, link) {
    try {
      await navigator.clipboard.writeText(link);
      b.textContent = 'Copied';
    } catch {
      b.textContent = 'Copy failed';
    }
    setTimeout(() => close(true), 1200);
  }

  list.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? /** @type {HTMLButtonElement | null} */ (e.target.closest('button.more')) : null;
    if (!button) return;
    if (button === opener) close(true);
    else open(button, e.detail === 0);
  });
  document.addEventListener('click', (e) => {
    if (!menu.hidden && e.target instanceof Node && !menu.contains(e.target) && !opener?.contains(e.target)) close();
  });
  menu.addEventListener('keydown', (e) => {
    const all = items();
    const at = all.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[e.key];
    if (e.key === 'Escape' || e.key === 'Tab') {
      if (e.key === 'Escape') e.preventDefault();
      close(e.key === 'Escape');
    } else if (to !== undefined) {
      e.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    }
  });

  // A long press on a message opens its menu (touch screens have no hover).
  let timer = 0;
  let pressed = false;
  list.addEventListener('touchstart', (e) => {
    const li = e.target instanceof Element ? e.target.closest('.message') : null;
    const button = /** @type {HTMLButtonElement | null} */ (li?.querySelector('button.more') ?? null);
    if (!button || (e.target instanceof Element && e.target.closest('a, button, input, textarea'))) return;
    pressed = false;
    timer = setTimeout(() => { pressed = true; open(button, false); }, 550);
  }, { passive: true });
  for (const end of ['touchend', 'touchmove', 'touchcancel']) list.addEventListener(end, () => clearTimeout(timer), { passive: true });
  list.addEventListener('contextmenu', (e) => { if (pressed) e.preventDefault(); });
})();
