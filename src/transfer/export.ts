import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type postgres from 'postgres';
import type { Sql } from '../db/connect.ts';

type Db = Sql | postgres.TransactionSql;
import { TABLES, exportQuery } from './tables.ts';

export const FORMAT = 'swarm-chat-instance';
export const FORMAT_VERSION = 1;

/** Rows per archive entry, and the most bytes of JSON one entry holds before a new one starts. */
const ROWS_PER_ENTRY = 2000;
const BYTES_PER_ENTRY = 4 * 1024 * 1024;
const FILE_CHUNKS_PER_READ = 4;

export interface Manifest {
  format: typeof FORMAT;
  version: number;
  exportedAt: string;
  migrations: string[];
  /** The highest ids, so the importer can move the sequences past them before anything else. */
  maxIds: { users: string | null; rooms: number | null; messages: string | null; attachments: string | null };
  counts: Record<string, number>;
}

/**
 * Writes the whole instance to `out` as a tar archive: manifest.json, then each table of
 * tables.ts as entries <table>/<n>.jsonl, then files/<attachment id>. One read-only, repeatable-read
 * transaction sees one moment of the instance; it takes no transaction id, so it holds no stream
 * back. Rows are read by cursor and files chunk by chunk: memory stays bounded whatever the size.
 */
export async function exportInstance(sql: Sql, out: Writable): Promise<Manifest> {
  const pack = tar.pack();
  const done = pipeline(pack, out);
  const manifest = await sql.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY', async (tx) => {
    await tx.unsafe(`SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0`).simple();
    await tx.unsafe(`DO $$ BEGIN IF current_setting('server_version_num')::int >= 170000 THEN SET LOCAL transaction_timeout = 0; END IF; END $$`);
    const manifest = await readManifest(tx);
    await add(pack, 'manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)));
    for (const table of TABLES) manifest.counts[table.name] = await writeTable(tx, pack, table.name, exportQuery(table));
    manifest.counts.files = await writeFiles(tx, pack);
    return manifest;
  });
  pack.finalize();
  await done;
  return manifest;
}

async function readManifest(tx: Db): Promise<Manifest> {
  const [max] = await tx<{ users: string | null; rooms: number | null; messages: string | null; attachments: string | null }[]>`
    SELECT (SELECT max(id) FROM users) AS users, (SELECT max(id) FROM rooms) AS rooms,
           greatest((SELECT max(id) FROM messages), (SELECT max(id) FROM changes)) AS messages,
           (SELECT max(id) FROM attachments) AS attachments`;
  const migrations = (await tx<{ version: string }[]>`SELECT version FROM schema_migrations ORDER BY version`).map((r) => r.version);
  return { format: FORMAT, version: FORMAT_VERSION, exportedAt: new Date().toISOString(), migrations, maxIds: max!, counts: {} };
}

async function writeTable(tx: Db, pack: tar.Pack, name: string, query: string): Promise<number> {
  let lines: string[] = [];
  let bytes = 0;
  let entries = 0;
  let rows = 0;
  const flush = async () => {
    if (lines.length === 0) return;
    await add(pack, `${name}/${String(++entries).padStart(6, '0')}.jsonl`, Buffer.from(lines.join('\n') + '\n'));
    lines = [];
    bytes = 0;
  };
  for await (const batch of tx.unsafe<{ line: string }[]>(query).cursor(500)) {
    for (const { line } of batch) {
      lines.push(line);
      bytes += line.length;
      rows++;
      if (lines.length >= ROWS_PER_ENTRY || bytes >= BYTES_PER_ENTRY) await flush();
    }
  }
  await flush();
  return rows;
}

/** Each linked attachment's bytes as files/<id>, read a few 256 KiB chunks at a time. */
async function writeFiles(tx: Db, pack: tar.Pack): Promise<number> {
  let count = 0;
  let after = '0';
  for (;;) {
    const page = await tx<{ id: string; size: string }[]>`
      SELECT a.id, (SELECT coalesce(sum(length(c.data)), 0) FROM attachment_chunks c WHERE c.attachment_id = a.id) AS size
      FROM attachments a WHERE a.message_id IS NOT NULL AND a.sha256 IS NOT NULL AND a.id > ${after}
      ORDER BY a.id LIMIT 100`;
    if (page.length === 0) return count;
    for (const file of page) {
      let entry!: ReturnType<tar.Pack['entry']>;
      const written = new Promise<void>((resolve, reject) => {
        entry = pack.entry({ name: `files/${file.id}`, size: Number(file.size) }, (err) => (err ? reject(err) : resolve()));
      });
      let seq = -1;
      for (;;) {
        const chunks = await tx<{ seq: number; data: Buffer }[]>`
          SELECT seq, data FROM attachment_chunks WHERE attachment_id = ${file.id} AND seq > ${seq}
          ORDER BY seq LIMIT ${FILE_CHUNKS_PER_READ}`;
        for (const c of chunks) if (!entry.write(c.data)) await once(entry, 'drain');
        if (chunks.length < FILE_CHUNKS_PER_READ) break;
        seq = chunks.at(-1)!.seq;
      }
      (entry as NodeJS.WritableStream).end();
      await written;
      count++;
      after = file.id;
    }
  }
}

function add(pack: tar.Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => pack.entry({ name }, data, (err) => (err ? reject(err) : resolve())));
}
