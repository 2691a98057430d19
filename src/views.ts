import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Message } from './messages/message.ts';

export interface Views {
  render(name: string, data: Record<string, unknown>): string;
  /** The one partial that renders a message: in pages, in history and in the live stream. */
  message(m: Message): string;
}

export function createViews(): Views {
  const eta = new Eta({ views: fileURLToPath(new URL('../views', import.meta.url)), cache: true, autoEscape: true });
  return {
    render: (name, data) => eta.render(`./${name}`, data),
    message: (m) => eta.render('./partials/message', m).trim(),
  };
}
