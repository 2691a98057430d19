import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { currentUser, page, SESSION_COOKIE, type AppEnv, type Ctx, type Deps } from '../http/context.ts';
import { HttpError } from '../http/errors.ts';
import { readInput, textField, type Input } from '../http/input.ts';
import { clientAddress } from '../http/client-address.ts';
import { checkCredentials, signIn, type SignInLimits } from './accounts.ts';
import { createSession, endSession, forgetExpired, SESSION_DAYS } from './store.ts';

const HERE = 'http://here.invalid';

// The characters a URL path, query and fragment may hold (RFC 3986), so no white space (browsers
// drop tabs and line breaks: "/\t/evil" becomes "//evil"), no "\" (read as "/") and nothing a
// Location header cannot carry.
const URL_CHARS = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#[\]]*$/;

/** Only a path on this site: "/x" but not "//evil.example", "/\evil.example" or "https://evil". */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 512 || !URL_CHARS.test(raw) || raw.startsWith('//')) return '/';
  try {
    return new URL(raw, HERE).origin === HERE ? raw : '/';
  } catch {
    return '/';
  }
}

function secure(c: Ctx, deps: Deps): boolean {
  return (deps.config.publicOrigin ?? new URL(c.req.url).origin).startsWith('https:');
}

export function sessionRoutes(deps: Deps) {
  const { config } = deps;
  const limits: SignInLimits = { name: config.rateLimitSignin, address: config.rateLimitSigninAddress, register: config.rateLimitRegister };
  const longestWindowMs = Math.max(...[config.rateLimitMessages, ...Object.values(limits)].map((l) => l?.windowMs ?? 0));
  const loginPage = (c: Ctx, status: number, data: { error?: string; next?: string; name?: string }) =>
    page(c, deps, status, 'login', { title: 'Sign in', ...data, next: safeNext(data.next ?? c.req.query('next')) });

  return new Hono<AppEnv>()
    .get('/login', async (c) => {
      // Someone already signed in sees who they are in the header, not a stale "Sign in".
      await currentUser(c, deps.sql).catch(() => null);
      return loginPage(c, 200, {});
    })
    .post('/session', async (c) => {
      const input: Input = await readInput(c);
      const next = safeNext(input.fields.next);
      try {
        const name = textField(input, 'name').trim();
        const password = textField(input, 'password');
        checkCredentials(name, password);
        const { user, created } = await signIn(deps.sql, name, password, clientAddress(c, config.trustProxy), limits);
        // A fresh token on every sign-in: a token planted before sign-in is worth nothing after.
        const old = getCookie(c, SESSION_COOKIE);
        if (old) await endSession(deps.sql, old);
        const token = await createSession(deps.sql, user.id);
        // Now and then, not on a timer: replicas share no scheduler, and sign-ins are what add rows.
        if (Math.random() < 1 / 64) await forgetExpired(deps.sql, longestWindowMs);
        setCookie(c, SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'Lax',
          secure: secure(c, deps),
          path: '/',
          maxAge: SESSION_DAYS * 86400,
        });
        deps.log.info(created ? 'registered' : 'signed in', { user: user.name });
        if (input.json) return c.json({ user: { name: user.name } }, created ? 201 : 200);
        return c.redirect(next, 303);
      } catch (err) {
        if (input.json || !(err instanceof HttpError)) throw err;
        err.addHeadersTo(c);
        const name = typeof input.fields.name === 'string' ? input.fields.name.slice(0, 32) : '';
        return loginPage(c, err.status, { error: err.message, next, name });
      }
    })
    .post('/session/end', async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await endSession(deps.sql, token);
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c, deps) });
      const json = (c.req.header('content-type') ?? '').includes('json') || (c.req.header('accept') ?? '').includes('application/json');
      return json ? c.body(null, 204) : c.redirect('/', 303);
    });
}
