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
  // The message partial's file, resolved once: render() by name resolves it on every call (its
  // includes' paths are cached), and every replica renders every message (issue 25).
  const messageFile = eta.resolvePath('./partials/message');
  const messageFn = eta.compile(eta.readFile(messageFile), { filepath: messageFile, async: false });
  return {
    render: (name, data) => eta.render(`./${name}`, data),
    message: (m, opts = {}) => eta.render(messageFn, { ...m, bodyHtml: renderBody(m.body, names), linked: opts.linked === true, bot: isBot(m.author), shortDate: SHORT_DATE.format(new Date(m.createdAt)) }, { filepath: messageFile }).trim(),
  };
}
