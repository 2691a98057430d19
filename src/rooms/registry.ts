import type { Sql } from '../db/connect.ts';

export interface Room { slug: string; title: string; topic: string }

/** This replica's copy of the rooms table, refreshed by the poll loop. */
export class RoomRegistry {
  private rooms: Room[] = [];
  private bySlug = new Map<string, Room>();

  constructor(private sql: Sql) {}

  async refresh(): Promise<void> {
    const rows = await this.sql<Room[]>`SELECT slug, title, topic FROM rooms ORDER BY position, slug`;
    this.rooms = rows.map((r) => ({ slug: r.slug, title: r.title, topic: r.topic }));
    this.bySlug = new Map(this.rooms.map((r) => [r.slug, r]));
  }

  all(): readonly Room[] {
    return this.rooms;
  }

  get(slug: string): Room | undefined {
    return this.bySlug.get(slug);
  }
}
