import type { BotRoster } from '../../bots/roster.ts';
import type { Message } from '../../sync/message.ts';

/** A message as the JSON API shows it: `bot: true` when its author is a bot (the stream does the same in src/sync/log.ts). */
export function markBot(roster: Pick<BotRoster, 'has'>): <M extends Message>(m: M) => M {
  return (m) => (roster.has(m.author) ? { ...m, bot: true } : m);
}
