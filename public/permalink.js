// @ts-check
// The message a permalink names brought into view. (Copying a message's link is in its actions
// menu, public/actions.js; without JavaScript the message's time links to the same address.)
(() => {
  const linked = document.querySelector('.message.linked');
  // Centred, whatever the heights of the sticky bars above it.
  if (linked) linked.scrollIntoView({ block: 'center' });
})();
