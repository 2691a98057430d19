import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { eventually, openStream, postJson, signIn, type StreamEvent } from '../support/client.ts';
import { privateCluster } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// The SQL that deploy/postgres-init.sh feeds psql when the production database is first created.
function initSql(db: string): string {
  const script = readFileSync(new URL('../../deploy/postgres-init.sh', import.meta.url), 'utf8');
  const body = /<<'SQL'\n([\s\S]*?)\nSQL/.exec(script)![1]!;
  return body.replace(/:'(\w+)_password'/g, "'$1 test password'").replace(/:"db"/g, `"${db}"`);
}

const as = (url: string, role: string) => {
  const u = new URL(url);
  u.username = role;
  u.password = `${role.replace('chat_', '')} test password`;
  return u.toString();
};

async function refusal(query: Promise<unknown>): Promise<string> {
  try {
    await query;
    return 'allowed';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

// Other events (presence, unread counts) may come first; these are the messages' bodies.
const bodies = (events: StreamEvent[]) => events.filter((e) => e.event === 'message').map((e) => e.message.body);

const SECRET = /(^|_)(hash|secret|token|password|salt|code|nonce)(_|$)/;
const secret = (table: string, column: string) => SECRET.test(column) || `${table}.${column}` === 'instance_keys.value';

// A cluster of its own: roles are cluster-wide, and one test holds a transaction open.
describe('the database roles of a deployment', () => {
  let cluster: Awaited<ReturnType<typeof privateCluster>>;
  let owner: Sql;
  let app: Sql;
  let readonly: Sql;
  let r: Replica;
  let cookie: string;
  beforeAll(async () => {
    cluster = await privateCluster();
    owner = connect(cluster.url, { max: 1 });
    await owner.unsafe(initSql(new URL(cluster.url).pathname.slice(1))).simple();
    await migrate(owner);
    app = connect(as(cluster.url, 'chat_app'), { max: 1 });
    readonly = connect(as(cluster.url, 'chat_readonly'), { max: 1 });
    r = await startReplica(as(cluster.url, 'chat_app'));
    cookie = await signIn(r.url, 'runtime');
  });
  afterAll(async () => {
    await r?.close();
    await Promise.all([owner?.end(), app?.end(), readonly?.end()]);
    await cluster?.stop();
  });

  it('let the app run on chat_app: register, post, stream, read, sign out', async () => {
    const stream = await openStream(r.url, 'general', { cookie });
    expect((await postJson(r.url, cookie, 'general', 'as chat_app')).status).toBe(201);
    await eventually(() => stream.events, (events) => bodies(events).includes('as chat_app'), 5000);
    expect(bodies(stream.events)).toContain('as chat_app');
    stream.close();
    expect(await fetch(`${r.url}/rooms/general`, { headers: { cookie } }).then((x) => x.text())).toContain('as chat_app');
    const other = await signIn(r.url, 'runtime-two');
    expect((await fetch(`${r.url}/session/end`, { method: 'POST', headers: { cookie: other, 'content-type': 'application/json' } })).status).toBe(204);
  });

  it('give chat_app no way to change the schema: DDL is for the owner, who runs the migrations', async () => {
    expect(await refusal(app`CREATE TABLE planted (x int)`)).toBe('42501');
    expect(await refusal(app`DROP TABLE messages`)).toBe('42501');
    expect(await refusal(app`ALTER TABLE users ADD COLUMN note text`)).toBe('42501');
    expect(await refusal(app`TRUNCATE messages`)).toBe('42501');
    expect(await refusal(app`CREATE OR REPLACE FUNCTION rate_hit(text, integer, integer) RETURNS integer LANGUAGE sql AS 'SELECT 0'`)).toBe('42501');
    expect(await refusal(app`CREATE ROLE intruder SUPERUSER`)).toBe('42501');
    expect(await refusal(app`CREATE TEMP TABLE scratch (x int)`)).toBe('42501');
  });

  it('keep chat_app from wiping or forging messages, rewriting password hashes or the migration record', async () => {
    expect(await refusal(app`DELETE FROM messages`)).toBe('42501');
    expect(await refusal(app`UPDATE messages SET body = 'forged'`)).toBe('42501');
    expect(await refusal(app`INSERT INTO messages (room_id, author_id, body) SELECT 1, id, 'forged' FROM users LIMIT 1`)).toBe('42501');
    expect(await refusal(app`UPDATE users SET password_hash = 'scrypt$planted'`)).toBe('42501');
    expect(await refusal(app`UPDATE sessions SET token_hash = '\\x00'`)).toBe('42501');
    expect(await refusal(app`DELETE FROM schema_migrations`)).toBe('42501');
    expect(await refusal(app`INSERT INTO schema_migrations (version) VALUES ('999_planted.sql')`)).toBe('42501');
    expect(await refusal(app`INSERT INTO changes (kind, room_id) VALUES ('room', 1)`)).toBe('42501');
    expect(await owner`SELECT 1 FROM messages WHERE body = 'forged'`).toHaveLength(0);
  });

  it('let chat_app set a new password only by spending a live reset code, once', async () => {
    await signIn(r.url, 'forgetful');
    const [user] = await owner<{ id: string }[]>`SELECT id FROM users WHERE name = 'forgetful'`;
    const code = Buffer.alloc(32, 7);
    await app`INSERT INTO password_resets (code_hash, user_id, expires_at) VALUES (${code}, ${user!.id}, now() + interval '1 hour')`;
    expect(await refusal(app`UPDATE users SET password_hash = 'scrypt$planted' WHERE id = ${user!.id}`)).toBe('42501');
    expect(await app`SELECT * FROM use_password_reset(${Buffer.alloc(32, 8)}, 'scrypt$planted')`).toHaveLength(0);
    const used = await app<{ name: string }[]>`SELECT * FROM use_password_reset(${code}, 'scrypt$new')`;
    expect(used.map((u) => u.name)).toEqual(['forgetful']);
    expect(await app`SELECT * FROM use_password_reset(${code}, 'scrypt$again')`).toHaveLength(0);
    const [after] = await owner<{ password_hash: string; sessions: number }[]>`
      SELECT password_hash, (SELECT count(*)::int FROM sessions WHERE user_id = ${user!.id}) AS sessions FROM users WHERE id = ${user!.id}`;
    expect(after).toEqual({ password_hash: 'scrypt$new', sessions: 0 });
  });

  it('decide every table’s rights for chat_app in grants.sql, so a new table is not left with full rights by accident', async () => {
    const grants = readFileSync(new URL('../../sql/grants.sql', import.meta.url), 'utf8');
    const listed = new Set([...grants.matchAll(/^\s*"(\w+)":\s*\[/gm)].map((m) => m[1]));
    const tables = await owner<{ name: string }[]>`
      SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') ORDER BY 1`;
    expect(tables.map((t) => t.name).filter((t) => !listed.has(t))).toEqual([]);
  });

  it('run as the owner every function that writes a table chat_app may not write itself', async () => {
    const functions = await owner<{ name: string; definer: boolean; body: string }[]>`
      SELECT p.proname AS name, p.prosecdef AS definer, p.prosrc AS body FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.prorettype <> 'trigger'::regtype`;
    const writes = { INSERT: /INSERT\s+INTO\s+(\w+)/gi, UPDATE: /UPDATE\s+(\w+)\s+(?:AS\s+)?\w*\s*SET/gi, DELETE: /DELETE\s+FROM\s+(\w+)/gi };
    const invokerWrites: string[] = [];
    for (const f of functions.filter((x) => !x.definer)) {
      for (const [right, pattern] of Object.entries(writes)) {
        for (const [, table] of f.body.matchAll(pattern)) {
          const [row] = await owner<{ ok: boolean }[]>`
            SELECT to_regclass(${table!}) IS NULL OR CASE WHEN ${right} = 'DELETE'
              THEN has_table_privilege('chat_app', to_regclass(${table!}), 'DELETE')
              ELSE has_any_column_privilege('chat_app', to_regclass(${table!}), ${right}) END AS ok`;
          if (!row!.ok) invokerWrites.push(`${f.name}: ${right} ${table}`);
        }
      }
    }
    expect(invokerWrites).toEqual([]);
  });

  it('let chat_readonly (pgAdmin) read every column but password hashes, token hashes and other secrets', async () => {
    const names = await readonly<{ name: string }[]>`SELECT name FROM users`;
    expect(names.map((u) => u.name)).toContain('runtime');
    expect(await refusal(readonly`SELECT password_hash FROM users`)).toBe('42501');
    expect(await refusal(readonly`SELECT * FROM users`)).toBe('42501');
    expect(await refusal(readonly`SELECT token_hash FROM sessions`)).toBe('42501');
    const columns = await owner<{ table: string; column: string; readable: boolean }[]>`
      SELECT c.relname AS table, a.attname AS column, has_column_privilege('chat_readonly', c.oid, a.attnum, 'SELECT') AS readable
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')`;
    const hidden = columns.filter((c) => !c.readable).map((c) => `${c.table}.${c.column}`);
    expect(hidden).toEqual(expect.arrayContaining(['users.password_hash', 'sessions.token_hash']));
    expect(columns.filter((c) => c.readable === secret(c.table, c.column))).toEqual([]);
  });

  it('let chat_readonly write nothing, even in a transaction it opens read write', async () => {
    expect(await refusal(readonly`INSERT INTO rooms (slug, title) VALUES ('ro', 'Read-only')`)).toBe('25006');
    const forced = readonly.begin('read write', (tx) => tx`INSERT INTO rooms (slug, title) VALUES ('ro', 'Read-only')`);
    expect(await refusal(forced)).toBe('42501');
    expect(await refusal(readonly`DELETE FROM sessions`)).toBe('25006');
    expect(await refusal(readonly`SELECT pg_notify('chat_messages', '')`)).toBe('42501');
  });

  it('keep chat_readonly from holding the stream back: it takes no transaction id, and a post made meanwhile still streams within a poll', async () => {
    const stream = await openStream(r.url, 'general', { cookie });
    const attempts = [
      'SELECT pg_current_xact_id()',
      'SELECT txid_current()',
      "SELECT lo_create(0)",
      "SELECT lo_from_bytea(0, 'x')",
      "SELECT pg_logical_emit_message(true, 'chat', 'x')",
      'CREATE TEMP TABLE held (x int)',
      'CREATE TABLE public.held (x int)',
      "SELECT nextval('messages_id_seq')",
      'SELECT id FROM rooms FOR UPDATE',
      "UPDATE rooms SET topic = topic WHERE slug = 'general'",
      "SELECT * FROM post_message('general', 1, 'from pgAdmin', NULL, NULL)",
    ];
    const outcomes = await readonly.begin('read write', async (tx) => {
      const refused: Record<string, string> = {};
      for (const q of attempts) refused[q] = await refusal(tx.savepoint((sp) => sp.unsafe(q)));
      const started = Date.now();
      const posted = await postJson(r.url, cookie, 'general', 'posted while pgAdmin holds a transaction');
      const events = await eventually(() => stream.events, (e) => bodies(e).includes('posted while pgAdmin holds a transaction'), 2000);
      const [held] = await tx<{ xid: string | null }[]>`SELECT pg_current_xact_id_if_assigned()::text AS xid`;
      return { refused, status: posted.status, bodies: bodies(events), ms: Date.now() - started, xid: held!.xid };
    });
    stream.close();
    for (const q of attempts) expect([q, outcomes.refused[q]]).toEqual([q, '42501']);
    expect(outcomes.xid).toBeNull();
    expect(outcomes.status).toBe(201);
    expect(outcomes.bodies).toContain('posted while pgAdmin holds a transaction');
    expect(outcomes.ms).toBeLessThan(1000);
  });

  it('migrate under an owner that is not a superuser, and leave the built-in functions to one command a superuser runs', async () => {
    await owner.unsafe(`CREATE ROLE plain_owner LOGIN PASSWORD 'plain_owner test password'`);
    await owner.unsafe(`CREATE DATABASE plain OWNER plain_owner`);
    const url = new URL(as(cluster.url, 'plain_owner'));
    url.pathname = '/plain';
    const plain = connect(url.toString(), { max: 1 });
    const superuser = connect(Object.assign(new URL(cluster.url), { pathname: '/plain' }).toString(), { max: 1 });
    const readonlyMay = async () => (await superuser<{ ok: boolean }[]>`SELECT has_function_privilege('chat_readonly', 'pg_current_xact_id()', 'EXECUTE') AS ok`)[0]!.ok;
    try {
      expect((await migrate(plain)).length).toBeGreaterThan(0);
      expect(await readonlyMay()).toBe(true);
      // The command the warning names: psql "<superuser URL>" -f sql/grants.sql
      await superuser.unsafe(readFileSync(new URL('../../sql/grants.sql', import.meta.url), 'utf8')).simple();
      expect(await readonlyMay()).toBe(false);
      // The owner's functions insert messages, whose default calls it: the owner keeps it.
      expect(await refusal(plain`SELECT pg_current_xact_id()`)).toBe('allowed');
    } finally {
      await Promise.all([plain.end(), superuser.end()]);
    }
  });

  it('keep other roles of the cluster out of the chat database', async () => {
    await owner.unsafe(`DO $$ BEGIN CREATE ROLE chat_outsider LOGIN PASSWORD 'outsider test password'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    const outsider = connect(as(r.chat.config.databaseUrl!, 'chat_outsider'), { max: 1 });
    expect(await refusal(outsider`SELECT 1`)).toBe('42501');
    await outsider.end();
  });
});
