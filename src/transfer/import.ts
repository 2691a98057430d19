import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type postgres from 'postgres';
import type { Sql } from '../db/connect.ts';
import { FORMAT, FORMAT_VERSION, type Manifest } from './export.ts';
import { TABLES, importQuery, type Table } from './tables.ts';

const CHUNK_BYTES = 256 * 1024;

export class ImportRefused extends Error {}

/** Whether the instance holds nobody and nothing yet (the predefined rooms do not count). */
export async function isEmptyInstance(sql: Sql | postgres.TransactionSql): Promise<boolean> {
  const [row] = await sql<{ empty: boolean }[]>`
    SELECT NOT EXISTS (SELECT FROM users) AND NOT EXISTS (SELECT FROM messages) AS empty`;
  return row!.empty;
}

/**
 * Loads an archive of export.ts into an empty, migrated instance, as the owner. Ids, authors,
 * rooms and times are the archive's. The order of the stream is kept too: messages are inserted
 * in the archive's (tx, id) order, and every insert is its own transaction, whose id is newer than
 * the previous one's; a new transaction starts wherever the id goes down, so within one the ids
 * rise and (new tx, id) sorts exactly as the old (tx, id) did. The sequences are moved past the
 * archive's ids first, so the rows the triggers log during the import, and every message posted
 * afterwards, come after the imported ones. Not atomic: a failed import leaves a partial instance
 * to drop and import again (the target was empty).
 */
export async function importInstance(sql: Sql, input: Readable): Promise<Record<string, number>> {
  const extract = tar.extract();
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  const byName = new Map(TABLES.map((t) => [t.name, t]));
  const counts: Record<string, number> = {};
  let manifest: Manifest | null = null;
  for await (const entry of extract) {
    const name = entry.header.name;
    if (!manifest) {
      if (name !== 'manifest.json') throw new ImportRefused('not an instance archive: manifest.json is not its first entry');
      manifest = parseManifest(await readAll(entry as AsyncIterable<Buffer>));
      await prepareTarget(sql, manifest);
      continue;
    }
    const table = byName.get(name.split('/')[0]!);
    if (table && name.endsWith('.jsonl')) {
      counts[table.name] = (counts[table.name] ?? 0) + (await loadRows(sql, table, (await readAll(entry as AsyncIterable<Buffer>)).toString('utf8')));
    } else if (/^files\/\d+$/.test(name)) {
      await loadFile(sql, name.slice('files/'.length), entry as AsyncIterable<Buffer>);
      counts.files = (counts.files ?? 0) + 1;
    } else {
      entry.resume();
    }
  }
  if (!manifest) throw new ImportRefused('not an instance archive: it is empty');
  await finish(sql);
  return counts;
}

function parseManifest(buf: Buffer): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(buf.toString('utf8')) as Manifest;
  } catch {
    throw new ImportRefused('not an instance archive: manifest.json is not JSON');
  }
  if (m.format !== FORMAT) throw new ImportRefused('not an instance archive of this chat');
  if (m.version > FORMAT_VERSION) throw new ImportRefused(`the archive is format ${m.version}; this version reads up to ${FORMAT_VERSION}: update first`);
  return m;
}

/** Refuses a non-empty instance; clears the predefined rooms; moves the sequences past the archive's ids. */
async function prepareTarget(sql: Sql, m: Manifest): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`LOCK TABLE users, messages IN EXCLUSIVE MODE`;
    if (!(await isEmptyInstance(tx))) throw new ImportRefused('the target instance is not empty (it has people or messages): import only into a new one');
    const known = new Set((await tx<{ version: string }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
    const unknown = (m.migrations ?? []).filter((v) => !known.has(v));
    if (unknown.length > 0) throw new ImportRefused(`the archive comes from a newer version (${unknown[0]} is not known here): update this server first`);
    await tx`DELETE FROM rooms`;
    await tx`DELETE FROM changes`;
    const seq = (table: string, max: string | number | null) => raiseSequence(tx, table, String(max ?? 0));
    await seq('users', m.maxIds.users);
    await seq('rooms', m.maxIds.rooms);
    await seq('messages', m.maxIds.messages);
    await seq('attachments', m.maxIds.attachments);
  });
}

async function loadRows(sql: Sql, table: Table, text: string): Promise<number> {
  const lines = text.split('\n').filter((l) => l !== '');
  const query = importQuery(table);
  // Runs of rising ids: each its own transaction (see importInstance).
  const runs: string[][] = [];
  let last = -1n;
  for (const line of lines) {
    const id = table.name === 'messages' ? BigInt((JSON.parse(line) as { id: string | number }).id) : 0n;
    if (runs.length === 0 || (table.name === 'messages' && id <= last)) runs.push([]);
    runs.at(-1)!.push(line);
    last = id;
  }
  for (const run of runs) await sql.unsafe(query, [`[${run.join(',')}]`]);
  return lines.length;
}

async function loadFile(sql: Sql, id: string, entry: AsyncIterable<Buffer>): Promise<void> {
  let seq = 0;
  let parts: Buffer[] = [];
  let size = 0;
  const put = async () => {
    await sql`INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (${id}, ${seq++}, ${Buffer.concat(parts)})`;
    parts = [];
    size = 0;
  };
  for await (const chunk of entry) {
    let rest = chunk;
    while (rest.length > 0) {
      const take = rest.subarray(0, CHUNK_BYTES - size);
      parts.push(take);
      size += take.length;
      rest = rest.subarray(take.length);
      if (size === CHUNK_BYTES) await put();
    }
  }
  if (size > 0) await put();
}

/** The sequences once more, past whatever the triggers logged. */
async function finish(sql: Sql): Promise<void> {
  const [max] = await sql<{ messages: string | null; users: string | null; rooms: string | null; attachments: string | null }[]>`
    SELECT greatest((SELECT max(id) FROM messages), (SELECT max(id) FROM changes)) AS messages, (SELECT max(id) FROM users) AS users,
           (SELECT max(id) FROM rooms) AS rooms, (SELECT max(id) FROM attachments) AS attachments`;
  for (const t of ['messages', 'users', 'rooms', 'attachments'] as const) await raiseSequence(sql, t, max![t] ?? '0');
  // Outbound work (pushes, webhooks) starts after the imported history, never for old messages.
  await sql`UPDATE outbox_cursors SET tx = coalesce((SELECT max(tx) FROM get_stream_head()), '0'::xid8),
    id = coalesce((SELECT max(id) FROM get_stream_head()), 0), updated_at = now()`;
}

/** Moves a table's id sequence to at least `max`, never back. */
function raiseSequence(sql: Sql | postgres.TransactionSql, table: string, max: string) {
  return sql`
    SELECT setval(s.seq, greatest(${max}::bigint, coalesce(pg_sequence_last_value(s.seq), 0), 1))
    FROM (SELECT pg_get_serial_sequence(${table}, 'id')::regclass AS seq) s`;
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p);
  return Buffer.concat(parts);
}
