import type { Sql } from '../db/connect.ts';

export interface AuditEntry { id: string; room: string; title: string; by: string | null; change: string; at: Date }

/** The newest entries of the rooms' audit trail (sql/099_room_audit.sql), for admins; `before` an entry's id, for the next page. */
export async function roomAudit(sql: Sql, limit = 200, before: string | null = null): Promise<AuditEntry[]> {
  return sql<AuditEntry[]>`
    SELECT a.id::text, r.slug AS room, r.title, u.name AS by, a.change, a.at
    FROM room_audit a JOIN rooms r ON r.id = a.room_id LEFT JOIN users u ON u.id = a.actor_id
    WHERE ${before}::bigint IS NULL OR a.id < ${before}::bigint
    ORDER BY a.id DESC LIMIT ${limit}`;
}
