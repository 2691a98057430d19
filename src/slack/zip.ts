import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** A Slack export zip, read entry by entry: only the entry asked for is ever in memory. */
export interface SlackZip {
  names: string[];
  json<T>(name: string): Promise<T | null>;
  close(): void;
}

export async function openSlackZip(file: string): Promise<SlackZip> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, z) => (err ? reject(err) : resolve(z))));
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      if (!e.fileName.endsWith('/')) entries.set(e.fileName, e);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return {
    names: [...entries.keys()],
    async json<T>(name: string): Promise<T | null> {
      const entry = entries.get(name);
      if (!entry) return null;
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
      const parts: Buffer[] = [];
      for await (const p of stream) parts.push(p as Buffer);
      try {
        return JSON.parse(Buffer.concat(parts).toString('utf8')) as T;
      } catch {
        throw new Error(`${name} in the zip is not JSON`);
      }
    },
    close: () => zip.close(),
  };
}
