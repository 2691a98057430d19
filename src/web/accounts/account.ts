import { Hono } from 'hono';
import { resetFor, useReset } from '../../accounts/resets.ts';
import { passwordProblem } from '../../accounts/rules.ts';
import { signIn } from '../../accounts/sign-in.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { readInput, textField } from '../input.ts';
import { clearSessionCookie, sessionToken } from './cookie.ts';
import { formOrJson, refusal } from '../answer.ts';
import type { Kit } from './kit.ts';
import { hashPassword } from '../../accounts/passwords.ts';
import { changePassword, endAllSessions } from '../../accounts/sessions.ts';

const BUSY = 'Too many sign-ins at once. Try again in a moment.';

/** The account page (change password, sign out everywhere: `members`) and one-time reset links (`open`). */
export function account(kit: Kit) {
  const { config, sql, log } = kit.deps;
  const accountPage = (c: Ctx, status: number, data: { error?: string; notice?: string }) => c.render('account', { title: 'Your account', ...data }, status);
  const resetPage = (c: Ctx, status: number, data: { code: string; name?: string | null; error?: string }) =>
    c.render('reset', { title: 'Choose a new password', ...data }, status);
  const hash = async (c: Ctx, password: string) => {
    const hashed = await kit.queue.run(kit.address(c, 48), () => hashPassword(password, config.passwordHashCost));
    if (!hashed.ok) throw refusal('busy', BUSY, hashed.retryAfterS);
    return hashed.value;
  };

  const members = new Hono<AppEnv>()
    .get('/account', async (c) => {
      await currentUser(c, sql);
      return accountPage(c, 200, { notice: c.req.query('changed') === '1' ? 'Your password is changed; your other sessions have ended.' : undefined });
    })
    .post('/account/password', async (c) => {
      const user = (await currentUser(c, sql))!;
      const input = await readInput(c);
      return formOrJson(c, input.json, async () => {
        const current = textField(input, 'current');
        const password = textField(input, 'password');
        const problem = passwordProblem(password);
        if (problem) throw refusal('bad_input', problem);
        // The current password is checked as a sign-in is, limits included: a borrowed session
        // is no way round them.
        const device = await kit.device(c, user.name);
        const limits = { address: config.rateLimitSigninAddress, client: config.rateLimitSignin, name: config.rateLimitSigninName };
        const check = await signIn(sql, kit.queue, { name: user.name, password: current, address: kit.address(c), client: kit.address(c, 48), device }, limits, config.passwordHashCost);
        if (!check.ok) {
          if (check.reason === 'wrong') throw refusal('not_allowed', 'The current password is wrong.');
          if (check.reason === 'deactivated') throw refusal('no_session', 'Sign in first.');
          if (check.reason === 'busy') throw refusal('busy', BUSY, check.retryAfterS);
          throw refusal('limited', `Too many ${check.what}. Try again in ${check.retryAfterS} s.`, check.retryAfterS);
        }
        if (!(await changePassword(sql, sessionToken(c)!, await hash(c, password)))) throw refusal('no_session', 'Sign in first.');
        log.info('password changed', { user: user.name });
        return input.json ? c.body(null, 204) : c.redirect('/account?changed=1', 303);
      }, (error, status) => accountPage(c, status, { error }));
    })
    .post('/account/sessions/end', async (c) => {
      const user = (await currentUser(c, sql))!;
      await endAllSessions(sql, user.id);
      clearSessionCookie(c, kit.secure(c));
      const json = c.get('json') || (c.req.header('content-type') ?? '').includes('json');
      return json ? c.body(null, 204) : c.redirect('/login', 303);
    })
    // Sign out everywhere, as the contract's JSON call: every session, this one too, and their streams.
    .delete('/api/sessions', async (c) => {
      const user = (await currentUser(c, sql))!;
      await endAllSessions(sql, user.id);
      clearSessionCookie(c, kit.secure(c));
      return c.body(null, 204);
    });
  const open = new Hono<AppEnv>()
    .get('/reset/:code', async (c) => {
      const code = c.req.param('code');
      const name = await resetFor(sql, code);
      return resetPage(c, name ? 200 : 404, { code, name, error: name ? undefined : 'This reset link is not valid (any more). Ask an admin for a new one.' });
    })
    .post('/reset/:code', async (c) => {
      const code = c.req.param('code');
      const input = await readInput(c);
      return formOrJson(c, input.json, async () => {
        const password = textField(input, 'password');
        const problem = passwordProblem(password);
        if (problem) throw refusal('bad_input', problem);
        if (!(await resetFor(sql, code))) throw refusal('unknown', 'This reset link is not valid (any more). Ask an admin for a new one.');
        const user = await useReset(sql, code, await hash(c, password));
        if (!user) throw refusal('unknown', 'This reset link is not valid (any more). Ask an admin for a new one.');
        log.info('password reset', { user: user.name });
        await kit.startSession(c, user);
        return input.json ? c.json({ user: { name: user.name, role: user.role } }, 200) : c.redirect('/', 303);
      }, async (error, status) => resetPage(c, status, { code, name: await resetFor(sql, code), error }));
    });
  return { members, open };
}
