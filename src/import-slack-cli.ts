import { existsSync } from 'node:fs';
import { loadConfig } from './config.ts';
import { importSlack } from './slack/import.ts';
import { openOwnerDatabase } from './transfer/owner-database.ts';

// npm run import:slack -- <file.zip>: a Slack workspace export (Documentation/transfer.md).
const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error(file ? `Slack import failed: no file ${file}` : 'usage: npm run import:slack -- <file.zip>');
  process.exit(1);
}
const config = loadConfig();
const origin = config.publicOrigin ?? `http://localhost:${config.port}`;
const db = await openOwnerDatabase(config).catch((err: Error) => {
  console.error(`Slack import failed: ${err.message}`);
  process.exit(1);
});
try {
  const s = await importSlack(db.sql, file, origin);
  console.log(`imported from Slack: ${s.people} people, ${s.rooms} new rooms, ${s.messages} messages, ${s.reactions} reactions`);
  if (s.ownerLink) console.log(`sign-in link for ${s.ownerLink.name}, the primary owner (works once, to set a password): ${s.ownerLink.url}`);
} catch (err) {
  console.error(`Slack import failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
