import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.ts';
import { FORMAT } from '../../src/transfer/export.ts';
import { importInstance } from '../../src/transfer/import.ts';
import { freshDatabase } from '../support/db.ts';

/** An archive holding only the given manifest.json text. */
async function archiveOf(manifest: string): Promise<Readable> {
  const pack = tar.pack();
  pack.entry({ name: 'manifest.json' }, manifest);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const p of pack) parts.push(p as Buffer);
  return Readable.from([Buffer.concat(parts)]);
}

describe('what an import refuses, before it writes anything', () => {
  it('refuses a file that is not an instance archive, and one from a newer version, with a reason', async () => {
    const sql = connect(await freshDatabase(), { max: 1 });
    try {
      await expect(importInstance(sql, await archiveOf('{"format":"something else"}'))).rejects.toThrow('not an instance archive of this chat');
      await expect(importInstance(sql, Readable.from([Buffer.from('just some text, not a tar file at all '.repeat(20))]))).rejects.toThrow();
      const newer = JSON.stringify({ format: FORMAT, version: 1, migrations: ['999_from_the_future.sql'], maxIds: {}, counts: {} });
      await expect(importInstance(sql, await archiveOf(newer))).rejects.toThrow('the archive comes from a newer version (999_from_the_future.sql');
      const [rooms] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM rooms`;
      expect(Number(rooms!.n)).toBeGreaterThan(0);
    } finally {
      await sql.end();
    }
  });
});
