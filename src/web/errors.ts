/** An answer for a person: the status and what went wrong. Rendered as JSON or HTML by the app. */
export class HttpError extends Error {
  constructor(
    public status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 503,
    message: string,
    public headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** Puts this error's headers (Retry-After) on the answer being built. */
  addHeadersTo(c: { header(name: string, value: string): void }): void {
    for (const [k, v] of Object.entries(this.headers)) c.header(k, v);
  }
}

const DB_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
]);

/** Whether an error means the database could not be reached or was shutting down, not a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  if (DB_CODES.has(code)) return true;
  // SQLSTATE classes: 08 connection, 53 resources, 57 operator intervention (shutdown, timeouts),
  // 40 serialization failure or deadlock, and 55P03 a lock not granted in time: all worth a retry.
  return /^(08|53|57|40)[0-9A-Z]{3}$/.test(code) || code === '55P03';
}

export const UNAVAILABLE = 'The database is not answering right now. Nothing was lost; try again in a moment.';
