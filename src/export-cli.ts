import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { loadConfig } from './config.ts';
import { exportInstance } from './transfer/export.ts';
import { openOwnerDatabase } from './transfer/owner-database.ts';

// npm run export -- <file>: the whole instance to one archive (Documentation/transfer.md).
const file = process.argv[2];
if (!file) {
  console.error('usage: npm run export -- <file>');
  process.exit(1);
}
const partial = `${file}.partial`;
const db = await openOwnerDatabase(loadConfig(), { migrate: false }).catch((err: Error) => {
  console.error(`export failed: ${err.message}`);
  process.exit(1);
});
try {
  const started = Date.now();
  const manifest = await exportInstance(db.sql, createWriteStream(partial));
  renameSync(partial, file);
  const c = manifest.counts;
  console.log(`exported to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.users} people, ${c.rooms} rooms, ${c.messages} messages, ${c.reactions} reactions, ${c.files} files`);
} catch (err) {
  rmSync(partial, { force: true });
  console.error(`export failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
