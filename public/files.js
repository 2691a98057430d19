// @ts-check
// Files in the composer: pasted, dropped or picked, each is uploaded at once and waits as a chip
// until the message is sent; app.js sends their ids with the message (form.dataset.attachments).
(() => {
  const form = /** @type {HTMLFormElement | null} */ (document.querySelector('form.post'));
  const box = form?.querySelector('textarea');
  if (!form || !box) return;
  const slug = new URL(form.action).pathname.split('/')[2];
  const picker = /** @type {HTMLInputElement | null} */ (form.querySelector('input[type="file"]'));
  const error = /** @type {HTMLElement} */ (form.querySelector('#post-error'));
  const list = Object.assign(document.createElement('ul'), { className: 'pending-files', hidden: true });
  list.setAttribute('aria-label', 'Files to send');
  form.prepend(list);
  const ready = [];
  let uploading = 0;

  const sync = () => {
    form.dataset.attachments = ready.map((a) => a.id).join(',');
    form.dataset.attachmentNames = ready.map((a) => a.name).join(', ');
    list.hidden = list.children.length === 0;
    // Files alone may be sent: their names become the text.
    box.required = ready.length === 0;
  };
  const fail = (text) => {
    error.textContent = text;
    error.hidden = false;
  };

  async function upload(file) {
    const name = file.name || 'pasted-image.png';
    const chip = Object.assign(document.createElement('li'), { className: 'uploading', textContent: `${name} (uploading…)` });
    list.append(chip);
    sync();
    uploading++;
    try {
      const res = await fetch(`/rooms/${slug}/attachments`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/octet-stream', 'x-filename': encodeURIComponent(name) },
        body: file,
      });
      const data = await res.json().catch(() => ({}));
      if (!res.ok || !data.attachment) throw new Error(data.error || `The upload failed (${res.status}).`);
      const a = data.attachment;
      ready.push(a);
      const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'ghost', textContent: '×' });
      remove.setAttribute('aria-label', `Remove ${a.name}`);
      remove.addEventListener('click', () => {
        ready.splice(ready.indexOf(a), 1);
        chip.remove();
        sync();
      });
      chip.className = 'ready';
      chip.replaceChildren(Object.assign(document.createElement('span'), { textContent: a.name }), remove);
    } catch (e) {
      chip.remove();
      fail(e instanceof TypeError ? 'Could not reach the server to upload the file.' : e.message);
    } finally {
      uploading--;
      sync();
    }
  }
  const take = (files) => {
    for (const f of files) upload(f);
  };

  box.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    take(files);
  });
  form.addEventListener('dragover', (/** @type {DragEvent} */ e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    form.classList.add('dropping');
  });
  form.addEventListener('dragleave', () => form.classList.remove('dropping'));
  form.addEventListener('drop', (/** @type {DragEvent} */ e) => {
    form.classList.remove('dropping');
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    e.preventDefault();
    take(files);
  });
  picker?.addEventListener('change', () => {
    take([...picker.files]);
    picker.value = '';
  });
  // Not while a file is still on its way: it would be left behind.
  form.addEventListener('submit', (e) => {
    if (uploading === 0) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    fail('Wait until the files are uploaded, then send.');
  }, true);
  form.addEventListener('posted', () => {
    ready.length = 0;
    list.replaceChildren();
    sync();
  });
})();
