import type { Deps } from '../deps.ts';
import { refusal } from '../answer.ts';
import type { Refusal } from '../../rooms/manage.ts';
import type { DeleteRefusal } from '../../rooms/delete.ts';

/** How the room APIs and forms answer a refusal from manage.ts: thrown, with its status from STATUS. */
export function refuse(r: Refusal | DeleteRefusal): never {
  throw refusal(r.reason, r.message);
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
