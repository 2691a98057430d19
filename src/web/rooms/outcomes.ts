import type { Deps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import type { Refusal } from '../../rooms/manage.ts';

/** How the room APIs and forms answer a refusal from manage.ts. */
export const REFUSAL_STATUS = { bad_input: 400, unknown_person: 404, not_allowed: 403 } as const;

export function refuse(r: Refusal): never {
  throw new HttpError(REFUSAL_STATUS[r.reason], r.message);
}

/** A title or topic from checkTitle, or the refusal thrown. */
export const text = (v: string | Refusal): string => (typeof v === 'string' ? v : refuse(v));

/**
 * After a room or membership change: this replica serves it at once (the caller's next request may
 * come here); the others learn it from the stream, woken by the hint.
 */
export function roomChanged(deps: Pick<Deps, 'rooms' | 'notifier'>): (id: number) => Promise<void> {
  return async (id) => {
    await deps.rooms.refresh([id]);
    deps.notifier.hint();
  };
}
