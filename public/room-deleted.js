// @ts-check
// A room an admin deleted leaves every list it is in, on every open page (the room's own page says
// so itself: public/app.js).
import { on } from './stream.js';

on('room', (e) => {
  const d = JSON.parse(e.data);
  if (d.change !== 'deleted' || typeof d.room !== 'string') return;
  const path = `/rooms/${encodeURIComponent(d.room)}`;
  for (const a of document.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href') ?? '';
    if (href !== path && !href.startsWith(`${path}#`) && !href.startsWith(`${path}?`)) continue;
    const item = a.closest('li');
    if (item && !item.closest('.messages')) item.remove();
  }
});
