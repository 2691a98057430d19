import type { Context } from 'hono';
import type { Deps } from '../deps.ts';
import { deviceFor, issueDevice } from '../../accounts/device.ts';
import { createHashQueue, type HashQueue } from '../../accounts/hash-queue.ts';
import { instanceKeys } from '../../accounts/instance-keys.ts';
import { hasUsers } from '../../accounts/register.ts';
import { clientAddress, type V6Prefix } from '../client-address.ts';
import { deviceToken, sessionToken, setDeviceCookie, setSessionCookie } from './cookie.ts';
import { createSession, endSession, SESSION_DAYS, type User } from '../../accounts/sessions.ts';

/** The services the account routes use. */
export type KitDeps = Pick<Deps, 'config' | 'sql' | 'log' | 'metrics'>;

/** What the sign-in, registration and account routes of one replica share. */
export interface Kit {
  deps: KitDeps;
  /** This replica's password-hashing queue: sign-ins, registrations and password changes. */
  queue: HashQueue;
  key: (name: 'device' | 'challenge') => Promise<string>;
  /** Whether the instance has anyone yet; once true it stays true, so it is asked until then only. */
  hasUsers(): Promise<boolean>;
  secure(c: Context): boolean;
  address(c: Context, v6Prefix?: V6Prefix): string;
  /** The device id when the browser holds a device cookie issued to this name. */
  device(c: Context, name: string): Promise<string | null>;
  /** Signs the browser in as the user: a fresh session (ending the one it had) and a device cookie. */
  startSession(c: Context, user: User): Promise<void>;
}

export function createKit(deps: KitDeps): Kit {
  const { config, sql } = deps;
  const key = instanceKeys(sql);
  let populated = false;
  const queue = createHashQueue({ maxWaiting: config.hashQueue });
  deps.metrics.collect(() => {
    deps.metrics.set('chat_password_hashes_running', 'Password hashes running on this replica', queue.running);
    deps.metrics.set('chat_password_hashes_waiting', 'Password hashes waiting on this replica (503 past PASSWORD_HASH_QUEUE)', queue.waiting);
  });
  const kit: Kit = {
    deps,
    queue,
    key,
    async hasUsers() {
      populated ||= await hasUsers(sql);
      return populated;
    },
    secure: (c) => (config.publicOrigin ?? new URL(c.req.url).origin).startsWith('https:'),
    address: (c, v6Prefix = 64) => clientAddress(c, config.trustProxy, v6Prefix),
    async device(c, name) {
      const cookie = deviceToken(c);
      return cookie ? deviceFor(await key('device'), name, cookie) : null;
    },
    async startSession(c, user) {
      populated = true;
      // A fresh token on every sign-in: a token planted before sign-in is worth nothing after.
      const old = sessionToken(c);
      if (old) await endSession(sql, old);
      const token = await createSession(sql, user.id);
      setSessionCookie(c, token, kit.secure(c), SESSION_DAYS);
      if (!(await kit.device(c, user.name))) setDeviceCookie(c, issueDevice(await key('device'), user.name), kit.secure(c));
    },
  };
  return kit;
}
