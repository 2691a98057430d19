import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../ops/log.ts';

/** Thumbnails made in a process of their own (src/files/image-worker.ts). */
export interface ImageProcess {
  /** A WebP thumbnail of the image, or null (no thumbnail: too costly, not an image, the line full, the process failed). */
  thumbnail(image: Buffer): Promise<Buffer | null>;
  /** The process's id while it runs (null before the first image and after close()). */
  pid(): number | null;
  /** Ends the process, if it was started; thumbnails still waiting get null. */
  close(): Promise<void>;
}

// One image at a time; past the waiting line an image gets no thumbnail (as in thumbnail.ts).
const WAITING = 8;
// An image the process has not finished in this long gets no thumbnail, and the process is replaced.
const JOB_MS = 30_000;
const SELF = fileURLToPath(import.meta.url);
const WORKER = SELF.slice(0, -extname(SELF).length).replace(/image-process$/, 'image-worker') + extname(SELF);

/**
 * Issue 19: sharp's decoding ran on libuv's thread pool, which scrypt shares, and on the same two
 * cores: four uploads of huge images took a bystander's sign-in from 0.5 to 2.5 s. Here it runs in
 * a child process at nice 19, started on the first image (never on import) and ended by close().
 */
export function createImageProcess(o: { log: Logger; jobMs?: number }): ImageProcess {
  let child: ChildProcess | null = null;
  let closed = false;
  let next = 1;
  let busy = false;
  const line: Array<() => void> = [];
  const pending = new Map<number, (thumb: Buffer | null) => void>();

  const start = (): ChildProcess => {
    const proc = fork(WORKER, [], {
      serialization: 'advanced',
      execArgv: WORKER.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      if (proc.pid) setPriority(proc.pid, 19);
    } catch {
      // Lowering a child's priority needs no privilege; if it fails anyway, thumbnails still work.
    }
    proc.on('message', (m: { id: number; thumb: Uint8Array | null }) => {
      pending.get(m.id)?.(m.thumb ? Buffer.from(m.thumb.buffer, m.thumb.byteOffset, m.thumb.byteLength) : null);
    });
    // A fork that fails (EAGAIN, ENOMEM under the very load big images bring) is no crash: the
    // waiting images get no thumbnail, and the next one tries a new process.
    proc.on('error', (err) => {
      if (child === proc) child = null;
      o.log.warn('image process failed', { error: err.message });
      for (const done of pending.values()) done(null);
    });
    proc.on('exit', (code, signal) => {
      if (child === proc) child = null;
      if (!closed) o.log.warn('image process ended', { code, signal });
      for (const done of pending.values()) done(null);
    });
    return proc;
  };

  const run = (image: Buffer): Promise<Buffer | null> => new Promise((resolve) => {
    const proc = (child ??= start());
    const id = next++;
    const timer = setTimeout(() => {
      o.log.warn('image process too slow: replaced', { ms: o.jobMs ?? JOB_MS });
      proc.kill('SIGKILL');
    }, o.jobMs ?? JOB_MS);
    pending.set(id, (thumb) => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(thumb);
    });
    proc.send({ id, image }, (err) => {
      if (err) pending.get(id)?.(null);
    });
  });

  return {
    async thumbnail(image) {
      if (closed) return null;
      if (busy) {
        if (line.length >= WAITING) return null;
        await new Promise<void>((go) => line.push(go));
      }
      busy = true;
      try {
        return closed ? null : await run(image);
      } finally {
        const go = line.shift();
        if (go) go();
        else busy = false;
      }
    },
    pid: () => child?.pid ?? null,
    async close() {
      closed = true;
      for (const go of line.splice(0)) go();
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
