import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Sql } from '../db/connect.ts';
import { compare, type Position } from './cursor.ts';
import type { Reader } from '../rooms/registry.ts';
import { logAfter, type LogEvent } from './log.ts';
import type { ByteBudget } from './budget.ts';
import { readerKeepsUp } from './wire.ts';

export interface CatchUpLimits {
  /** Most events (messages, and changes once coalesced) one stream may catch up on from the database; past it the client reloads. */
  catchUpMax: number;
}

const PAGE = 50;
// Past this many raw change rows per allowed event, a catch-up reloads without coalescing them.
const RAW_CHANGES_PER_EVENT = 8;

/** At most a few streams read history from the database at once; the rest wait their turn. */
export class Slots {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/**
 * Sends the log of some rooms after `from` from the database, a page at a time, until the position
 * reaches what the feed holds (`floor()`, which may move while it runs). Its depth and cost are
 * bounded: a stream further behind than `catchUpMax` messages is answered 'too-far' after one cheap
 * count, and each page yields to the event loop and waits for the reader to drain.
 */
export async function catchUp(
  sql: Sql, limits: CatchUpLimits, slots: Slots, budget: ByteBudget, out: ServerResponse,
  scope: { roomIds: number[]; reader: Reader | null }, from: Position, floor: () => Position,
  send: (events: LogEvent[]) => Position,
): Promise<'done' | 'too-far' | 'gone'> {
  const [row] = await sql<{ behind: number }[]>`
    SELECT count(*)::int AS behind FROM (
      SELECT 1 FROM messages
      WHERE room_id = ANY(${scope.roomIds}::int[]) AND (tx, id) > (${from.tx.toString()}::xid8, ${from.id.toString()})
      LIMIT ${limits.catchUpMax + 1}) ahead`;
  if (row!.behind > limits.catchUpMax) return 'too-far';
  // Edits, reactions and room events count too, once coalesced (sql/097_catch_up_coalesce.sql):
  // the latest state of a message once, not every change on the way.
  const room = limits.catchUpMax - row!.behind;
  const [changes] = await sql<{ raw: number; kept: number }[]>`
    SELECT * FROM catch_up_changes(${scope.roomIds}::int[], ${scope.reader?.id ?? null}, ${from.tx.toString()}::xid8, ${from.id.toString()},
                                   ${room}, ${RAW_CHANGES_PER_EVENT * limits.catchUpMax})`;
  if (changes!.kept > room) return 'too-far';
  const release = await slots.take();
  try {
    let last = from;
    let empty = 0;
    // Until the position reaches what the feed holds. Not "until a short page": the feed may
    // evict past the position while a query runs, and those messages must come from here too.
    while (compare(last, floor()) < 0) {
      if (out.destroyed || out.writableEnded) return 'gone';
      const rows = await logAfter(sql, scope.roomIds, scope.reader, last, PAGE);
      // Held against the replica's catch-up budget until the reader has taken the page.
      const release = await budget.take(rows.reduce((n, e) => n + (e.message?.body.length ?? 0) * 3 + 256, 0));
      last = send(rows);
      // Twice nothing below the floor: those rows were deleted by hand; there is nothing to send.
      empty = rows.length === 0 ? empty + 1 : 0;
      if (empty === 2) break;
      // A page waits for the reader to take the previous one: memory per stream stays one page.
      const keepsUp = await readerKeepsUp(out);
      release();
      if (!keepsUp) {
        out.destroy();
        return 'gone';
      }
      await nextTurn();
    }
    return 'done';
  } finally {
    release();
  }
}
