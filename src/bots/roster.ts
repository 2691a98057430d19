import type { Sql } from '../db/connect.ts';
import { botNames } from './store.ts';

/**
 * This replica's list of which authors are bots, for the "bot" mark a message shows. A name that
 * was a bot's stays one (a deleted bot's account stays, deactivated), so the list only grows: it
 * is loaded at start and again when the poll brings an account change.
 */
export class BotRoster {
  private names = new Set<string>();

  constructor(private sql: Sql) {}

  async refresh(): Promise<void> {
    this.names = new Set((await botNames(this.sql)).map((n) => n.toLowerCase()));
  }

  has(name: string): boolean {
    return this.names.has(name.toLowerCase());
  }
}
