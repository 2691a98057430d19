import type { Sql } from '../db/connect.ts';

export type RoomKind = 'open' | 'closed' | 'direct';

export interface Room {
  id: number;
  slug: string;
  title: string;
  topic: string;
  kind: RoomKind;
  public: boolean;
  archived: boolean;
  createdBy: string | null;
  position: number;
  /** Members of a closed or direct room, id to name; empty for open rooms (everyone is in them). */
  members: Map<string, string>;
}

/** Who is asking: a signed-in person, or nobody. */
export interface Reader { id: string; name: string; role?: string }

interface RoomRow { id: number; slug: string; title: string; topic: string; kind: RoomKind; public: boolean; archived: boolean; created_by: string | null; position: number; deleted: boolean }
interface MemberRow { room_id: number; user_id: string; name: string }

/**
 * This replica's copy of the rooms and their members. It is loaded once, then kept current by the
 * poll loop: every room and membership change travels the stream (sql/020_members.sql), so the
 * access check on every delivered message is a lookup here, never a query.
 */
export class RoomRegistry {
  private idIndex = new Map<number, Room>();
  private bySlug = new Map<string, Room>();
  private ordered: Room[] = [];
  /** Rooms an admin deleted (sql/106_room_delete.sql), as they were: their deletion reaches their former readers. */
  private gone = new Map<number, Room>();

  constructor(private sql: Sql) {}

  /** Loads every room, or only the given ones (after their changes were polled). */
  async refresh(ids?: number[]): Promise<void> {
    const only = ids ?? null;
    const rooms = await this.sql<RoomRow[]>`
      SELECT id, slug, title, topic, kind, public, archived_at IS NOT NULL AS archived, created_by::text, position,
             deleted_at IS NOT NULL AS deleted
      FROM rooms WHERE ${only}::int[] IS NULL OR id = ANY(${only}::int[])`;
    const members = await this.sql<MemberRow[]>`
      SELECT m.room_id, m.user_id::text, u.name
      FROM room_members m JOIN users u ON u.id = m.user_id
      WHERE ${only}::int[] IS NULL OR m.room_id = ANY(${only}::int[])`;
    const before = new Map(this.idIndex);
    if (!only) this.idIndex.clear();
    for (const id of only ?? []) this.idIndex.delete(id);
    const loaded = new Map<number, Room>();
    for (const r of rooms) {
      loaded.set(r.id, {
        id: r.id, slug: r.slug, title: r.title, topic: r.topic, kind: r.kind, public: r.public,
        archived: r.archived, createdBy: r.created_by, position: r.position, members: new Map(),
      });
    }
    for (const m of members) loaded.get(m.room_id)?.members.set(m.user_id, m.name);
    for (const r of rooms) {
      if (r.deleted) this.gone.set(r.id, this.gone.get(r.id) ?? before.get(r.id) ?? loaded.get(r.id)!);
      else this.idIndex.set(r.id, loaded.get(r.id)!);
    }
    this.reindex();
  }

  private reindex(): void {
    this.ordered = [...this.idIndex.values()].sort((a, b) => a.position - b.position || (a.slug < b.slug ? -1 : 1));
    this.bySlug = new Map(this.ordered.map((r) => [r.slug, r]));
  }

  byId(id: number): Room | undefined {
    return this.idIndex.get(id);
  }

  /** A room deleted while this replica ran, or before it started, as its readers knew it. */
  deleted(id: number): Room | undefined {
    return this.gone.get(id);
  }

  get(slug: string): Room | undefined {
    return this.bySlug.get(slug);
  }

  all(): readonly Room[] {
    return this.ordered;
  }

  /** The one access rule on every path: open rooms for every member, closed and direct ones for theirs, public ones for anyone. */
  canRead(reader: Reader | null, room: Room): boolean {
    if (room.public) return true;
    if (!reader) return false;
    return room.kind === 'open' || room.members.has(reader.id);
  }

  /** Who may write in a room (post, upload, react, edit, mark read): its readers, except that public only opens it for reading. */
  canWrite(reader: Reader | null, room: Room): boolean {
    if (!reader) return false;
    return room.kind === 'open' || room.members.has(reader.id);
  }

  /** The rooms a person sees in their list: readable and not archived. */
  visibleTo(reader: Reader | null): Room[] {
    return this.ordered.filter((r) => !r.archived && this.canRead(reader, r));
  }
}

/** A direct room is named after the other people in it, as each of them sees it. */
export function titleFor(room: Room, reader: Reader | null): string {
  if (room.kind !== 'direct') return room.title;
  const others = [...room.members].filter(([id]) => id !== reader?.id).map(([, name]) => name).sort();
  return others.length > 0 ? others.join(', ') : room.title;
}

/** What a room looks like to API clients and templates. */
export function roomView(room: Room, reader: Reader | null) {
  return { slug: room.slug, title: titleFor(room, reader), topic: room.topic, kind: room.kind, public: room.public, archived: room.archived };
}
