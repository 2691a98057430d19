import { sessionCookieOf } from '../support/client.ts';

export const json = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

export const register = (base: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => json(base, '/users', body, headers);
export const signInAs = (base: string, name: string, password: string, headers: Record<string, string> = {}) =>
  json(base, '/session', { name, password }, headers);

/** Registers (or, on a fresh instance, sets up) a person and returns their session cookie. */
export async function account(base: string, name: string, password = 'a good password', extra: Record<string, unknown> = {}): Promise<string> {
  const res = await register(base, { name, password, ...extra });
  if (res.status !== 201) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
  return sessionCookieOf(res)!;
}

export const get = (base: string, path: string, cookie?: string, accept = 'text/html') =>
  fetch(`${base}${path}`, { redirect: 'manual', headers: { accept, ...(cookie ? { cookie } : {}) } });

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function timed(f: () => Promise<Response>): Promise<{ ms: number; status: number; body: string }> {
  const t = performance.now();
  const res = await f();
  const body = await res.text();
  return { ms: performance.now() - t, status: res.status, body };
}
