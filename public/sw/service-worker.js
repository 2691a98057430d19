// The service worker (scope /): an offline page instead of the browser's error, pushed messages as
// notifications, a click that focuses the tab already on the message or opens it, and the app badge.
const SHELL = 'chat-shell-v1';
const OFFLINE = '/offline';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll([OFFLINE, '/public/app.css', '/public/icon.svg'])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== SHELL) await caches.delete(key);
    await self.clients.claim();
  })());
});

// Pages always come from the network (they are personal and live); only when it fails, the offline page.
self.addEventListener('fetch', (event) => {
  if (event.request.mode !== 'navigate') return;
  event.respondWith(fetch(event.request).catch(async () => (await caches.match(OFFLINE)) || Response.error()));
});

self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const shown = self.registration.showNotification(data.title || 'New message', {
    body: data.body || '',
    tag: data.tag,
    icon: '/icons/app-192.png',
    data: { url: data.url || '/' },
  });
  const badge = typeof data.badge === 'number' && self.navigator.setAppBadge
    ? self.navigator.setAppBadge(data.badge).catch(() => {})
    : Promise.resolve();
  event.waitUntil(Promise.all([shown, badge]));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin).href;
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const there = tabs.find((t) => t.url === url);
    if (there) return there.focus();
    // A tab of the chat showing something else is taken to the message; with none, a new one opens.
    const ours = tabs.find((t) => 'navigate' in t);
    if (ours) {
      const moved = await ours.navigate(url).catch(() => null);
      if (moved) return moved.focus().catch(() => moved);
    }
    return self.clients.openWindow(url);
  })());
});
