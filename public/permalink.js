// @ts-check
// Copy-link on each message (without JavaScript the message's time links to the same address),
// and the message a permalink names brought into view.
(() => {
  if (navigator.clipboard) document.documentElement.classList.add('can-copy');
  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? /** @type {HTMLElement | null} */ (event.target.closest('.copy-link')) : null;
    if (!button) return;
    const url = new URL(button.dataset.link, location.href).href;
    try {
      await navigator.clipboard.writeText(url);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed';
    }
    setTimeout(() => { button.textContent = 'Copy link'; }, 1500);
  });
  const linked = document.querySelector('.message.linked');
  // Centred, whatever the heights of the sticky bars above it.
  if (linked) linked.scrollIntoView({ block: 'center' });
})();
