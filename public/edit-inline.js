// @ts-check
// Editing a message where it stands: the actions menu's "Edit", or Up arrow in the empty message box
// for one's last message. Enter saves, Esc cancels. The edit event on the stream redraws it.

const slug = () => /** @type {HTMLElement | null} */ (document.querySelector('.room[data-room]'))?.dataset.room ?? '';
const composer = () => /** @type {HTMLTextAreaElement | null} */ (document.querySelector('.room form.post textarea'));

/** The Markdown the author typed: the message's own page holds it in its edit form. */
async function source(/** @type {HTMLElement} */ li) {
  try {
    const res = await fetch(`/rooms/${encodeURIComponent(slug())}/messages/${li.id.slice(2)}`, { headers: { accept: 'text/html' } });
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const field = /** @type {HTMLTextAreaElement | null} */ (doc.getElementById('edit-body'));
    if (res.ok && field) return field.value;
  } catch { /* fall back to the text as shown */ }
  return /** @type {HTMLElement | null} */ (li.querySelector('.body'))?.innerText ?? '';
}

/** Opens the inline editor on a message of one's own. */
export async function startEdit(/** @type {HTMLElement} */ li) {
  const body = /** @type {HTMLElement | null} */ (li.querySelector(':scope > .body'));
  if (!body || li.classList.contains('deleted')) return;
  const existing = li.querySelector('.inline-edit textarea');
  if (existing instanceof HTMLTextAreaElement) { existing.focus(); return; }
  const id = li.id.slice(2);
  const form = Object.assign(document.createElement('form'), { className: 'inline-edit' });
  const field = Object.assign(document.createElement('textarea'), { id: `edit-${id}`, name: 'body', rows: 2, maxLength: 4000, required: true, value: '' });
  const label = Object.assign(document.createElement('label'), { htmlFor: field.id, className: 'sr-only', textContent: 'Edit your message' });
  const save = Object.assign(document.createElement('button'), { type: 'submit', className: 'primary', textContent: 'Save' });
  const cancel = Object.assign(document.createElement('button'), { type: 'button', className: 'ghost', textContent: 'Cancel' });
  const hint = Object.assign(document.createElement('span'), { className: 'help', textContent: 'Enter saves, Esc cancels.' });
  const row = Object.assign(document.createElement('div'), { className: 'edit-row' });
  row.append(save, cancel, hint);
  form.append(label, field, row);
  body.hidden = true;
  body.after(form);
  field.value = await source(li);
  field.focus();
  field.setSelectionRange(field.value.length, field.value.length);

  const done = () => {
    form.remove();
    body.hidden = false;
    composer()?.focus();
  };
  cancel.addEventListener('click', done);
  field.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); done(); }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    const fail = (text) => {
      const p = form.querySelector('.error') ?? form.appendChild(Object.assign(document.createElement('p'), { className: 'error' }));
      p.setAttribute('role', 'alert');
      p.textContent = text;
    };
    try {
      const res = await fetch(`/api/rooms/${encodeURIComponent(slug())}/messages/${id}`, {
        method: 'PATCH', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ body: field.value }),
      });
      // The edit comes back through the stream and replaces the whole message.
      if (res.ok) done();
      else fail((/** @type {{ error?: string }} */ (await res.json().catch(() => ({})))).error || `The edit was not saved (${res.status}).`);
    } catch {
      fail('Could not reach the server. Try again; your edit is kept.');
    } finally {
      save.disabled = false;
    }
  });
}

// Up arrow in the empty message box edits one's last message, as in Slack and Campfire.
document.addEventListener('keydown', (e) => {
  const box = composer();
  if (e.key !== 'ArrowUp' || e.target !== box || !box || box.value !== '' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
  const me = document.querySelector('.who .me strong')?.textContent ?? '';
  const mine = [...document.querySelectorAll('#messages .message:not(.deleted)')].filter((li) => li instanceof HTMLElement && li.dataset.author === me);
  const last = /** @type {HTMLElement | undefined} */ (mine[mine.length - 1]);
  if (!last) return;
  e.preventDefault();
  last.scrollIntoView({ block: 'nearest' });
  void startEdit(last);
});
