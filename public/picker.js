// @ts-check
// The reaction picker of the actions menu: the usual eight, and a search by name over the standard
// set (public/emoji-data.js, made from emojibase-data by scripts/emoji/build.ts, loaded when first
// searched). Picking one toggles one's reaction; the stream redraws the reactions bar.

export const USUAL = ['👍', '❤️', '😂', '🎉', '👀', '🙏', '🔥', '✅'];
/** @type {Promise<[string, string, string][]> | null} */
let data = null;
const load = () => (data ??= import('./emoji-data.js').then((m) => m.default));

async function react(/** @type {HTMLElement} */ li, emoji) {
  const slug = /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'))?.dataset.room ?? '';
  const res = await fetch(`/api/rooms/${encodeURIComponent(slug)}/messages/${li.id.slice(2)}/reactions`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ emoji }),
  }).catch(() => null);
  if (!res?.ok) alert(res ? `That reaction did not work (${res.status}).` : 'Could not reach the server. Try again.');
}

function choice(emoji, name, pick) {
  const b = Object.assign(document.createElement('button'), { type: 'button', className: 'emoji', textContent: emoji, title: name });
  b.setAttribute('aria-label', name);
  b.addEventListener('click', () => pick(emoji));
  return b;
}

/** Opens the picker under a message; `back` gets the focus when it closes. */
export function openPicker(/** @type {HTMLElement} */ li, /** @type {HTMLElement} */ back) {
  document.querySelector('.picker')?.remove();
  const picker = Object.assign(document.createElement('div'), { className: 'picker' });
  picker.setAttribute('role', 'dialog');
  picker.setAttribute('aria-label', 'React with an emoji');
  const close = (refocus = true) => { picker.remove(); if (refocus && back.isConnected) back.focus(); };
  const pick = (emoji) => { close(); void react(li, emoji); };
  const usual = Object.assign(document.createElement('div'), { className: 'usual' });
  usual.setAttribute('role', 'group');
  usual.setAttribute('aria-label', 'Usual reactions');
  const names = { '👍': 'thumbs up', '❤️': 'red heart', '😂': 'face with tears of joy', '🎉': 'party popper', '👀': 'eyes', '🙏': 'folded hands', '🔥': 'fire', '✅': 'check mark button' };
  usual.append(...USUAL.map((e) => choice(e, names[e] ?? e, pick)));
  const search = Object.assign(document.createElement('input'), { type: 'search', placeholder: 'Search emoji', autocomplete: 'off' });
  search.setAttribute('aria-label', 'Search emoji by name');
  const found = Object.assign(document.createElement('div'), { className: 'found' });
  found.setAttribute('role', 'group');
  found.setAttribute('aria-label', 'Emoji found');
  const count = Object.assign(document.createElement('p'), { className: 'sr-only' });
  count.setAttribute('role', 'status');
  picker.append(usual, search, found, count);
  li.append(picker);
  search.focus();

  let asked = 0;
  search.addEventListener('input', async () => {
    const q = search.value.trim().toLowerCase();
    const mine = ++asked;
    const all = q ? await load() : [];
    if (mine !== asked) return;
    const words = q.split(/\s+/).filter(Boolean);
    const hits = all.filter(([, name, tags]) => words.every((w) => name.includes(w) || tags.includes(w))).slice(0, 40);
    found.replaceChildren(...hits.map(([e, name]) => choice(e, name, pick)));
    count.textContent = q ? `${hits.length === 40 ? 'At least 40' : hits.length} found` : '';
  });
  picker.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); close(); }
    if (e.key === 'Enter' && e.target === search) { e.preventDefault(); found.querySelector('button')?.click(); }
  });
  picker.addEventListener('focusout', (e) => {
    if (!(e.relatedTarget instanceof Node) || !picker.contains(e.relatedTarget)) setTimeout(() => { if (!picker.contains(document.activeElement)) close(false); }, 0);
  });
}
