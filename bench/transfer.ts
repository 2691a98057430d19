// Export and import of a big instance: npx tsx bench/transfer.ts [messages] [file MB]
// Fills an embedded PostgreSQL with 100,000 messages (edits, deletions, reactions) and 50 MB of
// files, runs `npm run export` and `npm run import` as the operator would (their own processes),
// and prints the time and peak memory (VmHWM, the resident set's high-water mark) of each.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type Sql } from '../src/db/connect.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';

const MESSAGES = Number(process.argv[2] ?? 100_000);
const FILE_MB = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(path.join(tmpdir(), 'chat-bench-transfer-'));
const pgDir = mkdtempSync(path.join(tmpdir(), 'chat-bench-transfer-pg-'));
const pg = await startEmbeddedPostgres({ dataDir: pgDir });
const urlOf = (db: string) => Object.assign(new URL(pg.url), { pathname: `/${db}` }).toString();

async function fill(sql: Sql): Promise<void> {
  await sql`INSERT INTO users (name, password_hash, role) SELECT 'person' || i, 'scrypt$x', 'member' FROM generate_series(1, 50) i`;
  await sql`INSERT INTO rooms (slug, title, kind) SELECT 'team-' || i, 'Team ' || i, 'closed' FROM generate_series(1, 10) i`;
  await sql`INSERT INTO room_members (room_id, user_id) SELECT r.id, u.id FROM rooms r, users u WHERE r.kind = 'closed' AND u.id % 3 = r.id % 3`;
  const batch = 5000;
  for (let done = 0; done < MESSAGES; done += batch) {
    await sql`
      INSERT INTO messages (room_id, author_id, body, created_at)
      SELECT (SELECT id FROM rooms ORDER BY id OFFSET (i % 14) LIMIT 1), 1 + i % 50,
             'message ' || i || ' ' || repeat('lorem ipsum dolor sit amet ', 1 + i % 8), now() - make_interval(secs => ${MESSAGES} - i)
      FROM generate_series(${done + 1}::int, ${Math.min(done + batch, MESSAGES)}::int) i`;
  }
  await sql`UPDATE messages SET body = body || ' (edited)', edited_at = now() WHERE id % 50 = 0`;
  await sql`UPDATE messages SET body = NULL, deleted_at = now() WHERE id % 97 = 0`;
  await sql`INSERT INTO reactions (message_id, user_id, emoji) SELECT id, 1 + id % 50, '👍' FROM messages WHERE id % 7 = 0 AND deleted_at IS NULL`;
  const chunk = 256 * 1024;
  const files = FILE_MB; // 1 MB each
  for (let f = 0; f < files; f++) {
    const [a] = await sql<{ id: string }[]>`
      INSERT INTO attachments (room_id, uploader_id, message_id, name, size, sha256)
      SELECT m.room_id, m.author_id, m.id, ${`file-${f}.bin`}, ${4 * chunk}, '\\x00'
      FROM messages m WHERE m.deleted_at IS NULL ORDER BY m.id OFFSET ${f * 13} LIMIT 1 RETURNING id`;
    for (let s = 0; s < 4; s++) await sql`INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (${a!.id}, ${s}, ${randomBytes(chunk)})`;
  }
}

/** Runs a CLI as its own process; its time and the high-water mark of its resident memory. */
function measure(script: string, args: string[], databaseUrl: string): Promise<{ secs: number; peakMb: number; out: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl } });
  let peakKb = 0;
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch { /* exited */ }
  }, 50);
  return new Promise((resolve, reject) => child.on('exit', (code) => {
    clearInterval(poll);
    if (code !== 0) reject(new Error(`${script} exited ${code}: ${out}`));
    else resolve({ secs: (performance.now() - started) / 1000, peakMb: peakKb / 1024, out: out.trim() });
  }));
}

try {
  const admin = connect(pg.url, { max: 1 });
  await admin.unsafe('CREATE DATABASE bench_source');
  await admin.unsafe('CREATE DATABASE bench_target');
  await admin.end();
  const source = connect(urlOf('bench_source'), { max: 1, timeoutMs: 600_000 });
  await migrate(source);
  const t0 = performance.now();
  await fill(source);
  console.log(`filled ${MESSAGES} messages and ${FILE_MB} MB of files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const archive = path.join(dir, 'instance.tar');
  const ex = await measure('src/export-cli.ts', [archive], urlOf('bench_source'));
  const im = await measure('src/import-cli.ts', [archive], urlOf('bench_target'));
  const target = connect(urlOf('bench_target'), { max: 1 });
  const count = async (sql: Sql) => (await sql<{ n: string }[]>`SELECT (SELECT count(*) FROM messages) || '/' || (SELECT coalesce(sum(length(data)), 0) FROM attachment_chunks) AS n`)[0]!.n;
  const [a, b] = [await count(source), await count(target)];
  await Promise.all([source.end(), target.end()]);
  console.log(ex.out);
  console.log(im.out);
  console.log(`| step | time | peak memory (RSS) |\n| --- | --- | --- |`);
  console.log(`| export (${MESSAGES.toLocaleString('en')} messages, ${FILE_MB} MB of files; archive ${(statSync(archive).size / 2 ** 20).toFixed(0)} MB) | ${ex.secs.toFixed(1)} s | ${ex.peakMb.toFixed(0)} MB |`);
  console.log(`| import into an empty instance | ${im.secs.toFixed(1)} s | ${im.peakMb.toFixed(0)} MB |`);
  console.log(a === b ? `same messages and file bytes on both sides (${a})` : `MISMATCH: source ${a}, target ${b}`);
  if (a !== b) process.exitCode = 1;
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(pgDir, { recursive: true, force: true });
}
