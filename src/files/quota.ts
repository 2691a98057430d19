import type { Sql } from '../db/connect.ts';

/** What an upload over STORAGE_QUOTA is refused with: the person's stored bytes, the quota, and this file (at least). */
export interface OverQuota { used: number; quota: number; file: number; atLeast: boolean }

/** Bytes of complete files a person has stored, over all replicas (files of deleted messages are gone, so they no longer count). */
export async function storedBytes(sql: Sql, uploaderId: string, except: string | null = null): Promise<number> {
  const [row] = await sql<{ used: string }[]>`
    SELECT coalesce(sum(size), 0)::text AS used FROM attachments
    WHERE uploader_id = ${uploaderId} AND sha256 IS NOT NULL AND id IS DISTINCT FROM ${except}::bigint`;
  return Number(row!.used);
}

/**
 * Completes an upload only if the person's files stay within the quota: one transaction holding a
 * lock per person, so parallel uploads on several replicas cannot each see room for themselves.
 * Over it, the file is removed in the same transaction (nothing partial stays) and the figures returned.
 */
export async function finishWithinQuota(
  sql: Sql, o: { id: string; uploaderId: string; quota: number | null; size: number }, finish: (tx: Sql) => Promise<void>,
): Promise<OverQuota | null> {
  if (o.quota === null) {
    await finish(sql);
    return null;
  }
  const quota = o.quota;
  return sql.begin(async (raw) => {
    const tx = raw as unknown as Sql;
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`storage:${o.uploaderId}`}, 0))`;
    const used = await storedBytes(tx, o.uploaderId, o.id);
    if (used + o.size > quota) {
      await tx`DELETE FROM attachments WHERE id = ${o.id}`;
      return { used, quota, file: o.size, atLeast: false };
    }
    await finish(tx);
    return null;
  });
}

/** "1.5 MB": sizes for people, in the binary units STORAGE_QUOTA takes. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))} ${units[i]}`;
}

export function overQuotaMessage(o: OverQuota): string {
  return `Your files would take more than your storage quota: used ${formatBytes(o.used)} of ${formatBytes(o.quota)}, `
    + `this file ${o.atLeast ? 'at least ' : ''}${formatBytes(o.file)}. Delete messages with files you no longer need, or ask an admin.`;
}
