// npm run schema:dump: writes sql/schema.sql, the schema as it stands after every migration,
// from a PostgreSQL of its own (embedded, in a temporary folder) that it migrates and then stops.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from '../../src/db/connect.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { schemaView } from '../../src/db/schema-view.ts';

const target = new URL('../../sql/schema.sql', import.meta.url);
const dir = mkdtempSync(path.join(tmpdir(), 'chat-schema-pg-'));
const pg = await startEmbeddedPostgres({ dataDir: dir });
try {
  const sql = connect(pg.url, { max: 1, timeoutMs: 60_000 });
  try {
    await migrate(sql);
    writeFileSync(target, await schemaView(sql));
  } finally {
    await sql.end();
  }
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`wrote ${path.relative(process.cwd(), target.pathname)}`);
