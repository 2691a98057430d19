/** A position in the message stream: the inserting transaction, then the row id. */
export interface Position { tx: bigint; id: bigint }

export const START: Position = { tx: 0n, id: 0n };
const MAX = (1n << 63n) - 1n;
/** Past every position: "before END" is the newest. */
export const END: Position = { tx: MAX, id: MAX };
const FORMAT = /^([0-9a-z]{1,13})-([0-9a-z]{1,13})$/;

export function compare(a: Position, b: Position): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

export function encodeCursor(p: Position): string {
  return `${p.tx.toString(36)}-${p.id.toString(36)}`;
}

/** Returns null for anything that is not a cursor this server handed out. */
export function decodeCursor(raw: string | undefined | null): Position | null {
  const m = raw ? FORMAT.exec(raw) : null;
  if (!m) return null;
  const tx = parse36(m[1]!);
  const id = parse36(m[2]!);
  if (tx > MAX || id > MAX) return null;
  return { tx, id };
}

function parse36(s: string): bigint {
  let n = 0n;
  for (const ch of s) n = n * 36n + BigInt(parseInt(ch, 36));
  return n;
}
