import type { Context } from 'hono';
import type { Reason } from '../outcome.ts';
import { HttpError } from './errors.ts';

/** The one table from the domain's refusals (src/outcome.ts) to HTTP statuses. */
export const STATUS = {
  bad_input: 400,
  wrong: 401,
  no_session: 401,
  not_allowed: 403,
  deactivated: 403,
  not_yours: 403,
  archived: 403,
  read_only: 403,
  'not-first': 403,
  unknown: 404,
  unknown_room: 404,
  unknown_person: 404,
  taken: 409,
  'last-admin': 409,
  predefined: 409,
  limited: 429,
  rate_limited: 429,
  busy: 503,
} as const satisfies Record<Reason, HttpError['status']>;

/** A refusal as an answer: its status from STATUS, and Retry-After whenever the domain said when. */
export function refusal(reason: Reason, message: string, retryAfterS?: number): HttpError {
  return new HttpError(STATUS[reason], message, retryAfterS === undefined ? {} : { 'Retry-After': String(retryAfterS) });
}

/**
 * The one convention for a route that answers both scripts and forms: the handler does the work
 * and answers JSON or a redirect by `json`, throwing an HttpError when it refuses. JSON clients get
 * the refusal as {"error"} (the app's error answer); browsers get the form's page again with the
 * message and the status. Its headers (Retry-After) go with either.
 */
export async function formOrJson(
  c: Context,
  json: boolean,
  work: () => Promise<Response>,
  page: (error: string, status: number) => Response | Promise<Response>,
): Promise<Response> {
  try {
    return await work();
  } catch (err) {
    if (json || !(err instanceof HttpError)) throw err;
    err.addHeadersTo(c);
    return page(err.message, err.status);
  }
}
