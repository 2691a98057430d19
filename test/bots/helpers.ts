import { signIn } from '../support/client.ts';

export interface Made { bot: { name: string; webhookUrl: string | null }; token: string; webhookSecret: string }

/** A call as a person (cookie) or as a bot (Bearer token). */
export function call(base: string, who: { cookie?: string; token?: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      // A cookie caller's request without a body says JSON too, as the page's script does (the cross-site check).
      ...(body === undefined && !who.cookie ? {} : { 'content-type': 'application/json' }),
      ...(who.cookie ? { cookie: who.cookie } : {}),
      ...(who.token ? { authorization: `Bearer ${who.token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function makeBot(base: string, adminCookie: string, name: string, webhookUrl?: string): Promise<Made> {
  const res = await call(base, { cookie: adminCookie }, 'POST', '/api/bots', webhookUrl ? { name, webhookUrl } : { name });
  if (res.status !== 201) throw new Error(`make bot ${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Made;
}

/** The first account of a fresh instance: its admin. */
export const firstAdmin = (base: string) => signIn(base, `admin_${process.pid}`);
