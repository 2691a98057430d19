import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Sql } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
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

describe('the database roles of a deployment', () => {
  let owner: Sql;
  let app: Sql;
  let readonly: Sql;
  let r: Replica;
  beforeAll(async () => {
    const url = await freshDatabase();
    owner = connect(url, { max: 1 });
    // Roles are cluster-wide; this is the only test file that creates them.
    await owner.unsafe(initSql(new URL(url).pathname.slice(1))).simple();
    await migrate(owner);
    app = connect(as(url, 'chat_app'), { max: 1 });
    readonly = connect(as(url, 'chat_readonly'), { max: 1 });
    r = await startReplica(as(url, 'chat_app'));
  });
  afterAll(async () => {
    await r.close();
    await Promise.all([owner.end(), app.end(), readonly.end()]);
  });

  it('let the app run on chat_app: sign in, post, read, sign out', async () => {
    const cookie = await signIn(r.url, 'runtime');
    expect((await postJson(r.url, cookie, 'general', 'as chat_app')).status).toBe(201);
    expect((await fetch(`${r.url}/rooms/general`).then((x) => x.text()))).toContain('as chat_app');
    expect((await fetch(`${r.url}/session/end`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' } })).status).toBe(204);
  });

  it('give chat_app no way to change the schema: DDL is for the owner, who runs the migrations', async () => {
    expect(await refusal(app`CREATE TABLE planted (x int)`)).toBe('42501');
    expect(await refusal(app`DROP TABLE messages`)).toBe('42501');
    expect(await refusal(app`ALTER TABLE users ADD COLUMN note text`)).toBe('42501');
    expect(await refusal(app`TRUNCATE messages`)).toBe('42501');
    expect(await refusal(app`CREATE OR REPLACE FUNCTION rate_hit(text, integer, integer) RETURNS integer LANGUAGE sql AS 'SELECT 0'`)).toBe('42501');
    expect(await refusal(app`CREATE ROLE intruder SUPERUSER`)).toBe('42501');
  });

  it('let chat_readonly (pgAdmin) read everything, hashes only, and write nothing even when it asks to', async () => {
    const users = await readonly<{ password_hash: string }[]>`SELECT password_hash FROM users`;
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) expect(u.password_hash).toMatch(/^scrypt\$/);
    expect(await refusal(readonly`INSERT INTO rooms (slug, title) VALUES ('ro', 'Read-only')`)).toBe('25006');
    const forced = readonly.begin('read write', (tx) => tx`INSERT INTO rooms (slug, title) VALUES ('ro', 'Read-only')`);
    expect(await refusal(forced)).toBe('42501');
    expect(await refusal(readonly`DELETE FROM sessions`)).toBe('25006');
  });

  it('keep other roles of the cluster out of the chat database', async () => {
    await owner.unsafe(`DO $$ BEGIN CREATE ROLE chat_outsider LOGIN PASSWORD 'outsider test password'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    const outsider = connect(as(r.chat.config.databaseUrl!, 'chat_outsider'), { max: 1 });
    expect(await refusal(outsider`SELECT 1`)).toBe('42501');
    await outsider.end();
  });
});
