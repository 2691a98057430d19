import type { Device } from '../support/push-service.ts';

export const json = (cookie: string) => ({ 'content-type': 'application/json', cookie });

export function subscribeDevice(base: string, cookie: string, device: Pick<Device, 'endpoint' | 'keys'>): Promise<Response> {
  return fetch(`${base}/api/push/subscriptions`, { method: 'POST', headers: json(cookie), body: JSON.stringify({ endpoint: device.endpoint, keys: device.keys }) });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until check() holds, up to timeoutMs; returns whether it did. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}
