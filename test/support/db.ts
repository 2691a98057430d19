import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';

/** A new, empty database in the test cluster; returns its URL. */
export async function emptyDatabase(): Promise<string> {
  const admin = connect(inject('pgUrl'), { max: 1 });
  const name = `chat_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(inject('pgUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

/** A new, migrated database in the test cluster; returns its URL. */
export async function freshDatabase(): Promise<string> {
  const url = await emptyDatabase();
  const sql = connect(url, { max: 1, timeoutMs: 60_000 });
  try {
    await migrate(sql);
  } finally {
    await sql.end();
  }
  return url.toString();
}
