import { Hono } from 'hono';
import { signIn, type SignInLimits } from '../../accounts/sign-in.ts';
import { credentialsProblem } from '../../accounts/rules.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { readInput, textField } from '../input.ts';
import { clearSessionCookie, sessionToken } from './cookie.ts';
import { formOrJson, refusal } from '../answer.ts';
import type { Kit } from './kit.ts';
import { safeNext } from './safe-next.ts';
import { endSession } from '../../accounts/sessions.ts';

const WRONG = 'The name or the password is wrong.';

/** GET /login, POST /session (sign in only, never register), POST /session/end. */
export function signingIn(kit: Kit) {
  const { config, sql, log } = kit.deps;
  const limits: SignInLimits = { address: config.rateLimitSigninAddress, client: config.rateLimitSignin, name: config.rateLimitSigninName };
  const loginPage = (c: Ctx, status: number, data: { error?: string; next?: string; name?: string }) =>
    c.render('login', { title: 'Sign in', ...data, next: safeNext(data.next ?? c.req.query('next')), registration: config.registration }, status);

  return new Hono<AppEnv>()
    .get('/login', async (c) => {
      // Someone already signed in sees who they are in the header, not a stale "Sign in".
      await currentUser(c, sql).catch(() => null);
      return loginPage(c, 200, {});
    })
    .post('/session', async (c) => {
      const input = await readInput(c);
      const next = safeNext(input.fields.next);
      const typed = typeof input.fields.name === 'string' ? input.fields.name.slice(0, 32) : '';
      return formOrJson(c, input.json, async () => {
        const name = textField(input, 'name').trim();
        const password = textField(input, 'password');
        const problem = credentialsProblem(name, password);
        if (problem) throw refusal('bad_input', problem);
        const attempt = { name, password, address: kit.address(c), client: kit.address(c, 48), device: await kit.device(c, name) };
        const outcome = await signIn(sql, kit.queue, attempt, limits, config.passwordHashCost);
        if (!outcome.ok) {
          if (outcome.reason === 'wrong') throw refusal('wrong', WRONG);
          if (outcome.reason === 'deactivated') throw refusal(outcome.reason, 'This account is deactivated. Ask an admin to reactivate it.');
          if (outcome.reason === 'busy') throw refusal('busy', 'Too many sign-ins at once. Try again in a moment.', outcome.retryAfterS);
          throw refusal('limited', `Too many ${outcome.what}. Try again in ${outcome.retryAfterS} s.`, outcome.retryAfterS);
        }
        await kit.startSession(c, outcome.user);
        log.info('signed in', { user: outcome.user.name });
        if (input.json) return c.json({ user: { name: outcome.user.name, role: outcome.user.role } }, 200);
        return c.redirect(next, 303);
      }, (error, status) => loginPage(c, status, { error, next, name: typed }));
    })
    .post('/session/end', async (c) => {
      const token = sessionToken(c);
      if (token) await endSession(sql, token);
      clearSessionCookie(c, kit.secure(c));
      const json = (c.req.header('content-type') ?? '').includes('json') || (c.req.header('accept') ?? '').includes('application/json');
      return json ? c.body(null, 204) : c.redirect('/', 303);
    });
}
