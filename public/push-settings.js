// @ts-check
// Push on this device, only when the person asks: the permission prompt comes from their click.
(() => {
  const box = document.getElementById('push-settings');
  if (!box) return;
  const state = box.querySelector('[data-push-state]');
  const on = /** @type {HTMLButtonElement} */ (box.querySelector('[data-push-on]'));
  const off = /** @type {HTMLButtonElement} */ (box.querySelector('[data-push-off]'));
  const say = (text) => { state.textContent = text; };
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  const json = (method, body) => fetch('/api/push/subscriptions', { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const key = (b64) => {
    const raw = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(raw, (ch) => ch.charCodeAt(0));
  };
  const show = async () => {
    if (!supported) return say('This browser cannot receive push notifications.');
    const reg = await navigator.serviceWorker.ready;
    const sub = await reg.pushManager.getSubscription();
    on.hidden = Boolean(sub);
    off.hidden = !sub;
    if (Notification.permission === 'denied') return say('Notifications are blocked for this site in the browser\'s settings.');
    say(sub ? 'Notifications are on for this device.' : 'Notifications are off for this device.');
  };
  on.addEventListener('click', async () => {
    try {
      if ((await Notification.requestPermission()) !== 'granted') return show();
      const { publicKey } = await (await fetch('/api/push/key')).json();
      const reg = await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(publicKey) });
      const res = await json('POST', sub.toJSON());
      if (!res.ok) {
        await sub.unsubscribe();
        return say((await res.json()).error || 'The server refused this device.');
      }
    } catch (err) {
      say(`Could not turn notifications on: ${err.message}`);
      return;
    }
    show();
  });
  off.addEventListener('click', async () => {
    const reg = await navigator.serviceWorker.ready;
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await json('DELETE', { endpoint: sub.endpoint });
      await sub.unsubscribe();
    }
    show();
  });
  show();
})();
