import { createReadStream, existsSync } from 'node:fs';
import { loadConfig } from './config.ts';
import { ImportRefused, importInstance } from './transfer/import.ts';
import { openOwnerDatabase } from './transfer/owner-database.ts';

// npm run import -- <file>: an archive of `npm run export` into an empty instance (Documentation/transfer.md).
const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error(file ? `import failed: no file ${file}` : 'usage: npm run import -- <file>');
  process.exit(1);
}
const db = await openOwnerDatabase(loadConfig()).catch((err: Error) => {
  console.error(`import failed: ${err.message}`);
  process.exit(1);
});
try {
  const started = Date.now();
  const c = await importInstance(db.sql, createReadStream(file));
  console.log(`imported ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.users ?? 0} people, ${c.rooms ?? 0} rooms, ${c.messages ?? 0} messages, ${c.reactions ?? 0} reactions, ${c.files ?? 0} files`);
} catch (err) {
  console.error(`${err instanceof ImportRefused ? "import refused" : "import failed"}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
