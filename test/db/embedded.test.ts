import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirUnreachableError, startEmbeddedPostgres } from '../../src/db/embedded.ts';

describe('the embedded PostgreSQL', () => {
  it.runIf(userInfo().uid === 0)('as root, refuses a data folder the postgres user cannot reach, naming the folder and the fix', async () => {
    const privateDir = mkdtempSync(path.join(tmpdir(), 'chat-private-'));
    try {
      const dataDir = path.join(privateDir, 'nested', '.data');
      mkdirSync(path.dirname(dataDir), { recursive: true });
      const attempt = startEmbeddedPostgres({ dataDir });
      await expect(attempt).rejects.toBeInstanceOf(DataDirUnreachableError);
      await expect(attempt).rejects.toThrow(new RegExp(`cannot enter ${privateDir}.*chmod o\\+x ${privateDir}.*DATA_DIR`, 's'));
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
    }
  });

  it('keeps its data across a stop and a start', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chat-keep-'));
    try {
      const pg = await startEmbeddedPostgres({ dataDir: dir });
      const { connect } = await import('../../src/db/connect.ts');
      let sql = connect(pg.url, { max: 1 });
      await sql`CREATE TABLE kept (v text)`;
      await sql`INSERT INTO kept VALUES ('still here')`;
      await sql.end();
      await pg.stop();
      const again = await startEmbeddedPostgres({ dataDir: dir });
      sql = connect(again.url, { max: 1 });
      expect((await sql`SELECT v FROM kept`)[0]!.v).toBe('still here');
      await sql.end();
      await again.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
