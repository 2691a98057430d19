import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { connect, type Sql } from '../../src/db/connect.ts';
import { createLogger } from '../../src/ops/log.ts';
import { createChat, listen, type Chat } from '../../src/server.ts';
import { hashPassword, verifyPassword } from '../../src/accounts/passwords.ts';
import { forgetExpired } from '../../src/accounts/sessions.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { postForm, sessionCookie } from './helpers.ts';

// Every way a secret could be written down: as is, in hex (bytea), in base64, and a token's raw bytes.
function disguises(secret: string, isToken: boolean): string[] {
  const forms = [Buffer.from(secret, 'utf8')];
  if (isToken) forms.push(Buffer.from(secret, 'base64url'));
  return [secret, ...forms.flatMap((b) => [b.toString('hex'), b.toString('base64'), b.toString('base64url')])];
}

describe('what the server writes down', () => {
  let sql: Sql;
  let chat: Chat;
  let base: string;
  let close: () => Promise<void>;
  const lines: string[] = [];
  const passwords = ['first secret pass', 'zweites Passwört', 'третий пароль!'];
  const tokens: string[] = [];

  beforeAll(async () => {
    const url = await freshDatabase();
    sql = connect(url);
    const config = { ...loadConfig({}), databaseUrl: url, pollIntervalMs: 50, replicaName: 'at-rest', logLevel: 'debug' as const, registration: 'open' as const, registrationChallenge: false };
    chat = createChat(config, sql, createLogger('at-rest', 'debug', (l) => void lines.push(l)));
    await chat.start();
    const server = await listen(chat, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    close = async () => {
      await chat.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await sql.end({ timeout: 1 });
    };

    for (const [i, password] of passwords.entries()) {
      tokens.push((await signIn(base, `keeper${i}`, password)).split('=')[1]!);
      tokens.push((await signIn(base, `KEEPER${i}`, password)).split('=')[1]!);
      const form = await postForm(base, '/session', { name: `keeper${i}`, password, next: '/rooms/general' }, { origin: base });
      expect(form.headers.get('location')).toBe('/rooms/general');
      tokens.push(sessionCookie(form)!.split('=')[1]!);
    }
    await postJson(base, `chat_session=${tokens[0]}`, 'general', 'hello');
    await postForm(base, '/session', { name: 'keeper0', password: 'a wrong guess' }, { origin: base });
    await postForm(base, '/session/end', {}, { origin: base, cookie: `chat_session=${tokens[1]}` });
  });
  afterAll(() => close());

  it('keeps no password or session token in clear in any column of any table', async () => {
    const columns = await sql<{ table_schema: string; table_name: string; column_name: string }[]>`
      SELECT c.table_schema, c.table_name, c.column_name
      FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')`;
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['users.password_hash', 'sessions.token_hash']));
    const needles = [...passwords.flatMap((p) => disguises(p, false)), ...tokens.flatMap((t) => disguises(t, true))];
    let values = 0;
    for (const c of columns) {
      const rows = await sql.unsafe<{ v: string | null }[]>(`SELECT ${quote(c.column_name)}::text AS v FROM ${quote(c.table_schema)}.${quote(c.table_name)}`);
      for (const { v } of rows) {
        if (v === null) continue;
        values++;
        const text = v.startsWith('\\x') ? `${v} ${Buffer.from(v.slice(2), 'hex').toString('latin1')}` : v;
        for (const n of needles) expect(text.includes(n), `${c.table_name}.${c.column_name} holds a secret`).toBe(false);
      }
    }
    expect(values).toBeGreaterThan(20);
  });

  it('hashes passwords with scrypt and a salt of their own, so equal passwords do not look equal', async () => {
    const hashes = (await sql<{ password_hash: string }[]>`SELECT password_hash FROM users ORDER BY id`).map((r) => r.password_hash);
    for (const h of hashes) expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    const salts = hashes.map((h) => h.split('$')[4]);
    expect(new Set(salts).size).toBe(salts.length);
    const [x, y] = [await hashPassword('same password'), await hashPassword('same password')];
    expect(x).not.toBe(y);
    expect(await verifyPassword('same password', y)).toBe(true);
  });

  it('refuses a wrong, tampered or malformed hash without throwing', async () => {
    const h = await hashPassword('the password');
    const parts = h.split('$');
    expect(await verifyPassword('the passworD', h)).toBe(false);
    expect(await verifyPassword('the password', [...parts.slice(0, 5), parts[5]!.slice(0, 20)].join('$'))).toBe(false);
    expect(await verifyPassword('the password', 'md5$abc')).toBe(false);
    expect(await verifyPassword('the password', '')).toBe(false);
  });

  it('never writes a password or a token to a log line, a redirect or a page', async () => {
    expect(lines.length).toBeGreaterThan(5);
    const needles = [...passwords, ...tokens];
    for (const line of lines) for (const n of needles) expect(line.includes(n), line).toBe(false);
    const page = await (await fetch(`${base}/rooms/general`, { headers: { accept: 'text/html', cookie: `chat_session=${tokens[0]}` } })).text();
    expect(page).toContain('keeper0');
    for (const n of needles) expect(page.includes(n)).toBe(false);
  });

  it('forgets ended sessions and counters whose window is over', async () => {
    const [user] = await sql<{ id: string }[]>`SELECT id FROM users LIMIT 1`;
    await sql`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('\\x01', ${user!.id}, now() - interval '1 second')`;
    await sql`INSERT INTO sessions (token_hash, user_id, expires_at, last_seen_at) VALUES ('\\x02', ${user!.id}, now() + interval '1 day', now() - interval '8 days')`;
    await sql`INSERT INTO rate_counters (key, window_start, hits) VALUES ('old', now() - interval '2 hours', 9), ('young', now(), 1)`;
    const live = (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sessions WHERE expires_at > now() AND last_seen_at > now() - interval '7 days'`)[0]!.n;
    await forgetExpired(sql, 3_600_000);
    expect(await sql`SELECT 1 FROM sessions WHERE token_hash IN ('\\x01', '\\x02')`).toHaveLength(0);
    expect((await sql`SELECT count(*)::int AS n FROM sessions`)[0]!.n).toBe(live);
    expect((await sql<{ key: string }[]>`SELECT key FROM rate_counters WHERE key IN ('old', 'young')`).map((r) => r.key)).toEqual(['young']);
  });
});

const quote = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
