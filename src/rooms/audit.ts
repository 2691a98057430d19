import type { Sql } from '../db/connect.ts';

export interface AuditEntry { room: string; title: string; by: string | null; change: string; at: Date }

/** The newest entries of the rooms' audit trail (sql/099_room_audit.sql), for admins. */
export async function roomAudit(sql: Sql, limit = 200): Promise<AuditEntry[]> {
  return sql<AuditEntry[]>`
    SELECT r.slug AS room, r.title, u.name AS by, a.change, a.at
    FROM room_audit a JOIN rooms r ON r.id = a.room_id LEFT JOIN users u ON u.id = a.actor_id
    ORDER BY a.at DESC, a.id DESC LIMIT ${limit}`;
}
