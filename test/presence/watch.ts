import { EventStreamParser } from '../../src/sync/event-parser.ts';

/** What `event: presence` says, per room, on one open stream. */
export interface PresenceWatch {
  status: number;
  /** The latest list per room slug, and when it arrived. */
  rooms: Map<string, { people: string[]; at: number }>;
  /** Resolves with the time the room's list first satisfied `ok`; rejects after timeoutMs. */
  until(room: string, ok: (people: string[]) => boolean, timeoutMs?: number): Promise<number>;
  close(): void;
}

/** Opens an event stream (a path such as /rooms/general/events or /events?room=general) and keeps its presence events. */
export async function watchPresence(base: string, path: string, cookie: string): Promise<PresenceWatch> {
  const ctrl = new AbortController();
  const res = await fetch(`${base}${path}`, { headers: { cookie }, signal: ctrl.signal });
  const rooms = new Map<string, { people: string[]; at: number }>();
  const waiters = new Set<() => void>();
  void (async () => {
    const parser = new EventStreamParser();
    try {
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const e of parser.push(value)) {
          if (e.event !== 'presence') continue;
          const data = JSON.parse(e.data) as { room: string; people: string[] };
          rooms.set(data.room, { people: data.people, at: Date.now() });
        }
        for (const w of waiters) w();
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: res.status,
    rooms,
    until(room, ok, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const seen = rooms.get(room);
          if (!seen || !ok(seen.people)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(Date.now());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`presence of ${room} still ${JSON.stringify(rooms.get(room)?.people)} after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ctrl.abort(),
  };
}

/** GET /api/rooms/<room>/presence. */
export async function presenceOf(base: string, room: string, cookie: string): Promise<string[]> {
  const res = await fetch(`${base}/api/rooms/${room}/presence`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`presence of ${room}: ${res.status}`);
  return ((await res.json()) as { people: string[] }).people;
}
