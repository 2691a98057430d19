// @ts-check
// Makes the chat an installable app: the service worker (public/service-worker.js) at scope /.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/service-worker.js', { scope: '/' }).catch(() => {});
}
