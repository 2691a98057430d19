import { Hono } from 'hono';
import { checkAnswer, newChallenge, spendAnswer } from '../../accounts/challenge.ts';
import { claimed, claimImport, unclaimedImport } from '../../accounts/claim.ts';
import { joinCodeValid } from '../../accounts/invites.ts';
import { give, take } from '../../accounts/limits.ts';
import { createAccount, nameTaken } from '../../accounts/register.ts';
import { credentialsProblem } from '../../accounts/rules.ts';
import { currentUser, type AppEnv, type Ctx } from '../context.ts';
import { readInput, textField } from '../input.ts';
import { formOrJson, refusal } from '../answer.ts';
import type { Kit } from './kit.ts';
import type { Reason } from '../../outcome.ts';
import { hashPassword } from '../../accounts/passwords.ts';

type Mode = 'setup' | 'open' | 'invite' | 'closed' | 'admin';
const TAKEN = 'That name is taken, or looks too much like one that is.';
const WRONG_CODE = 'This join link is not valid (any more). Ask an admin for the current one.';
const CLOSED = 'Registration is closed here: an admin creates accounts.';

/**
 * The register form (first run, join link, open sign-up) and POST /users behind it. `firstRun`
 * is what an empty instance serves (mount it before the first-run redirect); `join` the rest.
 */
export function registering(kit: Kit) {
  const { config, sql, log } = kit.deps;
  const challengeOn = config.registration === 'open' && config.registrationChallenge;

  const page = async (c: Ctx, status: number, data: { mode: Mode; code?: string; error?: string; name?: string }) => {
    const challenge = data.mode === 'open' && challengeOn ? JSON.stringify(await newChallenge(await kit.key('challenge'))) : null;
    const title = data.mode === 'setup' ? 'Set up your chat' : 'Join';
    return c.render('register', { title, ...data, challenge }, status);
  };
  const modePage = async (c: Ctx) => ((await kit.hasUsers()) ? page(c, 200, { mode: config.registration }) : c.redirect('/setup', 303));

  const join = new Hono<AppEnv>()
    .get('/join', (c) => modePage(c))
    .get('/join/:code', async (c) => {
      if (config.registration !== 'invite') return modePage(c);
      const code = c.req.param('code');
      if (await joinCodeValid(sql, code)) return page(c, 200, { mode: 'invite', code });
      return page(c, 404, { mode: config.registration, error: WRONG_CODE });
    });
  const firstRun = new Hono<AppEnv>()
    .get('/setup', async (c) => ((await kit.hasUsers()) ? c.redirect('/login', 303) : page(c, 200, { mode: 'setup' })))
    .get('/users/challenge', async (c) => {
      if (!challengeOn) return c.json({ error: 'Registration here needs no challenge.' }, 404);
      return c.json({ challenge: await newChallenge(await kit.key('challenge')) });
    })
    .post('/users', async (c) => {
      const input = await readInput(c);
      const typed = typeof input.fields.name === 'string' ? input.fields.name.slice(0, 32) : '';
      const code = typeof input.fields.code === 'string' ? input.fields.code : undefined;
      const first = !(await kit.hasUsers());
      const actor = first ? null : await currentUser(c, sql);
      const byAdmin = actor?.role === 'admin';
      const mode: Mode = first ? 'setup' : byAdmin ? 'admin' : code !== undefined ? 'invite' : config.registration;
      return formOrJson(c, input.json, async () => {
        const name = textField(input, 'name').trim();
        const password = textField(input, 'password');
        const problem = credentialsProblem(name, password);
        if (problem) throw refusal('bad_input', problem);

        let answer: Awaited<ReturnType<typeof checkAnswer>> | null = null;
        if (!first && !byAdmin) {
          if (config.registration === 'closed') throw refusal('not_allowed', CLOSED);
          if (config.registration === 'invite' && !(await joinCodeValid(sql, code))) throw refusal('not_allowed', WRONG_CODE);
          if (challengeOn) {
            answer = await checkAnswer(await kit.key('challenge'), input.fields.altcha);
            if (!answer.ok) throw refusal('not_allowed', answer.reason === 'expired' ? 'The anti-bot check expired: try again.' : 'The anti-bot check is missing or wrong.');
          }
        }
        const counted = first || byAdmin ? { ok: true as const, keys: [] } : await take(sql, [
          { key: `register:${kit.address(c, 48)}`, limit: config.rateLimitRegister, what: 'new accounts from your network' },
        ]);
        if (!counted.ok) throw refusal('limited', `Too many ${counted.what}. Try again in ${counted.retryAfterS} s.`, counted.retryAfterS);
        const refuse = async (reason: Reason, message: string, retryAfterS?: number) => {
          await give(sql, counted.keys);
          return refusal(reason, message, retryAfterS);
        };
        // A join link claims an account the Slack import made under this name (Documentation/transfer.md).
        const claim = !first && !byAdmin && (await joinCodeValid(sql, code)) && (await unclaimedImport(sql, name));
        if (!claim && (await nameTaken(sql, name))) throw await refuse('taken', TAKEN);
        if (answer?.ok && !(await spendAnswer(sql, answer))) throw await refuse('not_allowed', 'That anti-bot answer was used already: try again.');
        const hashed = await kit.queue.run(kit.address(c, 48), () => hashPassword(password, config.passwordHashCost));
        if (!hashed.ok) throw await refuse('busy', 'Too many sign-ins at once. Try again in a moment.', hashed.retryAfterS);
        const created = claim ? await claimed(claimImport(sql, name, hashed.value)) : await createAccount(sql, name, hashed.value, first);
        if (!created.ok) throw await refuse(created.reason, created.reason === 'taken' ? TAKEN : 'Someone set this chat up a moment ago: ask them for a join link.');
        log.info('registered', { user: created.user.name, role: created.user.role, by: byAdmin ? actor.name : undefined });
        // An admin making an account for someone stays signed in as themselves.
        if (!byAdmin) await kit.startSession(c, created.user);
        if (input.json) return c.json({ user: { name: created.user.name, role: created.user.role } }, 201);
        return c.redirect(byAdmin ? '/admin/people' : '/', 303);
      }, (error, status) => page(c, status, { mode, code, error, name: typed }));
    });
  return { firstRun, join };
}
