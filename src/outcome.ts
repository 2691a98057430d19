/**
 * Why the domain refused to do something. The feature folders return these as `reason` in their
 * outcomes (`{ ok: false, reason }`) and know nothing of HTTP; the web edge turns each into one
 * status, in one table (STATUS in src/web/answer.ts).
 */
export type Reason =
  /** The input breaks a rule of the domain (a title too long, a direct room with nobody else). */
  | 'bad_input'
  /** A name and password that match no active account. */
  | 'wrong'
  /** The session has ended (or never was). */
  | 'no_session'
  /** The caller may not do this (a room's rules, registration closed, a wrong join code). */
  | 'not_allowed'
  /** The account is deactivated: it signs in no more. */
  | 'deactivated'
  /** Someone else's message. */
  | 'not_yours'
  /** The room is archived: it is read, not posted to. */
  | 'archived'
  /** A public room, to someone outside it: read, not written in. */
  | 'read_only'
  /** Someone set the instance up a moment ago. */
  | 'not-first'
  /** Nothing by that name or id, or nothing the caller may see. */
  | 'unknown'
  | 'unknown_room'
  | 'unknown_person'
  /** The name is taken. */
  | 'taken'
  /** A predefined room everyone is in (general): it stays. */
  | 'predefined'
  /** The change would leave no active admin. */
  | 'last-admin'
  /** A rate limit: try again after a while. */
  | 'limited'
  | 'rate_limited'
  /** Too much work queued at once (password hashing): try again in a moment. */
  | 'busy';
