import type { Message } from '../../src/sync/message.ts';
import { EventStreamParser } from '../../src/sync/event-parser.ts';

let users = 0;

/**
 * Signs in, registering the name first when it is new (POST /users, which answers 409 for a
 * taken name before any hashing, then POST /session), and returns the session cookie "name=value".
 */
export async function signIn(base: string, name = `user${process.pid}_${++users}`, password = 'correct horse'): Promise<string> {
  const send = (path: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  let res = await send('/users');
  if (res.status === 409) res = await send('/session');
  if (res.status !== 200 && res.status !== 201) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return sessionCookieOf(res)!;
}

/** The session cookie pair a response sets ("chat_session=..." or, under HTTPS, "__Host-chat_session=..."). */
export function sessionCookieOf(res: Response): string | undefined {
  return res.headers.getSetCookie().find((c) => /^(__Host-)?chat_session=/.test(c))?.split(';')[0];
}

export function postJson(base: string, cookie: string, room: string, body: unknown): Promise<Response> {
  return fetch(`${base}/rooms/${room}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ body }),
  });
}

export interface StreamEvent { id: string; event: string; message: Message & { html: string } }

export interface EventStream {
  events: StreamEvent[];
  status: number;
  ended: Promise<void>;
  /** Resolves when at least n events have arrived; rejects after timeoutMs. */
  waitFor(n: number, timeoutMs?: number): Promise<StreamEvent[]>;
  close(): void;
}

/** Opens /rooms/<room>/events and parses the stream as a browser's EventSource would. */
export async function openStream(base: string, room: string, opts: { lastEventId?: string; after?: string; cookie?: string; path?: string } = {}): Promise<EventStream> {
  const ctrl = new AbortController();
  const qs = opts.after ? `?after=${encodeURIComponent(opts.after)}` : '';
  const res = await fetch(`${base}${opts.path ?? `/rooms/${room}/events`}${qs}`, {
    headers: { ...(opts.lastEventId ? { 'last-event-id': opts.lastEventId } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    signal: ctrl.signal,
  });
  const events: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  let done = false;
  const ended = (async () => {
    if (!res.body) return;
    const parser = new EventStreamParser();
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const { id = '', event, data } of parser.push(value)) {
          // Keep-alives and presence come and go on their own clock: tests of the log count the rest.
          if (data && event !== 'ping' && event !== 'presence') events.push({ id, event, message: JSON.parse(data) as StreamEvent['message'] });
        }
        for (const w of waiters) w();
      }
    } catch {
      // aborted
    }
    done = true;
    for (const w of waiters) w();
  })();
  return {
    events,
    status: res.status,
    ended,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (events.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(events);
          } else if (done) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`stream ended after ${events.length} of ${n} events`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out with ${events.length} of ${n} events`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ctrl.abort(),
  };
}

/**
 * Retries `read` until `ok` holds (2 s at most). History and streams show a message once every
 * older transaction in the cluster has ended, which another test's open transaction can delay.
 */
export async function eventually<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}
