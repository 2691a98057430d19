import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

let engine: string | undefined;

/** The engine (tcp://host:port) docker() talks to from now on; unset: DOCKER_HOST or the local one. */
export function useEngine(host: string | undefined): void {
  engine = host;
}

export async function docker(...args: string[]): Promise<string> {
  return dockerOn(engine, ...args);
}

/** A docker command against one engine; a call to an engine that went away gives up after 20 s. */
export async function dockerOn(host: string | undefined, ...args: string[]): Promise<string> {
  return dockerWithin(host ? 20_000 : 0, host, ...args);
}

/** dockerOn, giving up after timeoutMs (0: never). */
export async function dockerWithin(timeoutMs: number, host: string | undefined, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', host ? ['-H', host, ...args] : args, { maxBuffer: 64 << 20, timeout: timeoutMs });
  return stdout.trim();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns something truthy; throws, naming what it waited for, after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 1000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(`waited ${Math.round(timeoutMs / 1000)} s for ${what}${last ? ` (${(last as Error).message.split('\n')[0]})` : ''}`);
    }
    await sleep(everyMs);
  }
}
