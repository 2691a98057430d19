/** What a search asks for, checked: the route turns a refusal into a 400. */
export interface SearchQuery {
  q: string;
  room: string | null;
  from: string | null;
  since: Date | null;
  until: Date | null;
  after: { rank: string; id: string } | null;
}

export type Parsed = { ok: true; query: SearchQuery } | { ok: false; message: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const TOKEN = /^(\d(?:\.\d+)?(?:e[-+]?\d+)?)~(\d{1,19})$/;

// Dates PostgreSQL and the driver both take as they are (year 0 and year 10000 do not survive the
// trip: issue 19 had `since=0000-01-01` and `until=9999-12-31` answered with 500).
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(9999, 0, 1);
// ts_rank() gives a real (float4): a rank outside its range, or finer than it keeps, is no rank we handed out.
const RANK_MIN = 1e-37;
const RANK_MAX = 1e37;
const ID_MAX = (1n << 63n) - 1n;

/** An ISO date (a whole UTC day) or date and time with its offset, from 1900 to 9998; `end` reads a bare date as the end of that day. */
export function isoDate(raw: string, end: boolean): Date | null {
  if (!DATE.test(raw) && !DATE_TIME.test(raw)) return null;
  const at = new Date(DATE.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(at.getTime())) return null;
  if (DATE.test(raw) && at.toISOString().slice(0, 10) !== raw) return null;
  const when = end && DATE.test(raw) ? new Date(at.getTime() + 86_400_000) : at;
  return when.getTime() < EARLIEST || when.getTime() > LATEST ? null : when;
}

/** The opaque `next` token: the rank and id of the last hit handed out, so a page never repeats one. */
export function encodeNext(rank: string, id: string): string {
  return Buffer.from(`${rank}~${id}`).toString('base64url');
}

function decodeNext(raw: string): SearchQuery['after'] {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) return null;
  const m = TOKEN.exec(Buffer.from(raw, 'base64url').toString());
  if (!m) return null;
  const rank = Number(m[1]);
  const id = BigInt(m[2]!);
  if (!Number.isFinite(rank) || (rank !== 0 && (rank < RANK_MIN || rank > RANK_MAX))) return null;
  if (id < 1n || id > ID_MAX) return null;
  return { rank: m[1]!, id: m[2]! };
}

export function parseSearch(p: Record<string, string | undefined>): Parsed {
  // PostgreSQL's text cannot hold NUL: such a parameter would be a 500 at the query (found by fast-check).
  if (Object.values(p).some((v) => v?.includes('\u0000'))) return { ok: false, message: 'A search parameter cannot contain a NUL character.' };
  const q = (p.q ?? '').trim();
  if (!q) return { ok: false, message: 'Say what to search for: "q" is empty.' };
  if (q.length > 200) return { ok: false, message: '"q" is longer than 200 characters.' };
  const since = p.since ? isoDate(p.since, false) : null;
  if (p.since && !since) return { ok: false, message: '"since" is an ISO date from 1900 to 9998, such as 2026-11-22 or 2026-11-22T10:00:00Z.' };
  const until = p.until ? isoDate(p.until, true) : null;
  if (p.until && !until) return { ok: false, message: '"until" is an ISO date from 1900 to 9998, such as 2026-11-22 or 2026-11-22T10:00:00Z.' };
  const after = p.next ? decodeNext(p.next) : null;
  if (p.next && !after) return { ok: false, message: '"next" is not a token this server handed out.' };
  const from = p.from?.trim().replace(/^@/, '') || null;
  if (from && from.length > 32) return { ok: false, message: '"from" is a name of at most 32 characters.' };
  const room = p.room?.trim().replace(/^#/, '') || null;
  return { ok: true, query: { q, room, from, since, until, after } };
}
