import { decodeCursor, type Position } from '../sync/cursor.ts';
import { HttpError } from './errors.ts';

/** A cursor from a query or header, or null when absent; 400 when it is not one of ours. */
export function cursorParam(raw: string | undefined, name: string): Position | null {
  if (raw === undefined) return null;
  const p = decodeCursor(raw);
  if (!p) throw new HttpError(400, `"${name}" is not a cursor this server handed out.`);
  return p;
}
