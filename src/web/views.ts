import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { renderBody, type BodyContext } from '../messages/markdown.ts';
import type { Message } from '../sync/message.ts';

export interface Views {
  render(name: string, data: Record<string, unknown>): string;
  /**
   * The one partial that renders a message: in pages, in history and in the live stream. The body
   * becomes HTML here, once per message (src/messages/markdown.ts); `linked` marks the message a
   * permalink names.
   */
  message: (m: Message, opts?: { linked?: boolean }) => string;
}

// One formatter for every message: toLocaleDateString() builds one per call, about 75 µs, over half
// of a message's rendering (issue 25).
const SHORT_DATE = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });

/** isBot: whether an author is a bot, for the message's "bot" mark (src/bots/roster.ts). */
export function createViews(names: BodyContext = {}, isBot: (author: string) => boolean = () => false): Views {
  const eta = new Eta({ views: fileURLToPath(new URL('../../views', import.meta.url)), cache: true, autoEscape: true });
  return {
    render: (name, data) => eta.render(`./${name}`, data),
    message: (m, opts = {}) => eta.render('./partials/message', { ...m, bodyHtml: renderBody(m.body, names), linked: opts.linked === true, bot: isBot(m.author), shortDate: SHORT_DATE.format(new Date(m.createdAt)) }).trim(),
  };
}
