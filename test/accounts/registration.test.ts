import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { account, get, json, register } from './helpers.ts';

describe('first run', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { registration: 'closed' });
  });
  afterAll(() => r.close());

  it('sends every page of an empty instance to /setup, where the first account becomes the admin whatever REGISTRATION says', async () => {
    for (const path of ['/', '/login', '/rooms/general', '/join']) {
      const res = await get(r.url, path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toMatch(/^\/(setup|login\?next=.*)$/);
    }
    expect((await get(r.url, '/')).headers.get('location')).toBe('/setup');
    expect((await get(r.url, '/healthz')).status).toBe(200);
    expect(await (await get(r.url, '/setup')).text()).toContain('Create the admin account');
    const res = await register(r.url, { name: 'founder', password: 'founder password' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ user: { name: 'founder', role: 'admin' } });
    expect((await get(r.url, '/setup')).headers.get('location')).toBe('/login');
    expect((await register(r.url, { name: 'second', password: 'second password' })).status).toBe(403);
  });
});

describe('registration by join link (REGISTRATION=invite)', () => {
  let r: Replica;
  let admin: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { registration: 'invite' });
    admin = await account(r.url, 'boss');
  });
  afterAll(() => r.close());

  it('refuses without the code or with a wrong one, takes the current code, and stops taking it once rotated', async () => {
    expect((await register(r.url, { name: 'nocode', password: 'a good password' })).status).toBe(403);
    expect((await register(r.url, { name: 'nocode', password: 'a good password', code: 'x'.repeat(24) })).status).toBe(403);
    const invite = (await (await get(r.url, '/api/invite', admin, 'application/json')).json()) as { code: string; url: string };
    expect(invite.url).toBe(`${r.url}/join/${invite.code}`);
    const page = await (await get(r.url, `/join/${invite.code}`)).text();
    expect(page).toContain(`name="code" value="${invite.code}"`);
    const joined = await register(r.url, { name: 'joiner', password: 'a good password', code: invite.code });
    expect(joined.status).toBe(201);
    expect(await joined.json()).toEqual({ user: { name: 'joiner', role: 'member' } });

    const rotated = (await (await json(r.url, '/api/invite', {}, { cookie: admin })).json()) as { code: string };
    expect(rotated.code).not.toBe(invite.code);
    expect((await register(r.url, { name: 'late', password: 'a good password', code: invite.code })).status).toBe(403);
    expect((await get(r.url, `/join/${invite.code}`)).status).toBe(404);
    expect((await register(r.url, { name: 'late', password: 'a good password', code: rotated.code })).status).toBe(201);
  });

  it('shows the join link to admins only: others get 404', async () => {
    const member = await account(r.url, 'plain', 'a good password', {
      code: ((await (await get(r.url, '/api/invite', admin, 'application/json')).json()) as { code: string }).code,
    });
    expect((await get(r.url, '/api/invite', member, 'application/json')).status).toBe(404);
    expect((await json(r.url, '/api/invite', {}, { cookie: member })).status).toBe(404);
    expect((await get(r.url, '/admin/people', member)).status).toBe(404);
    expect((await get(r.url, '/api/invite', undefined, 'application/json')).status).toBe(401);
    const adminPage = await (await get(r.url, '/admin/people', admin)).text();
    expect(adminPage).toContain('/join/');
  });

  it('refuses names that look like a taken one with 409: case, capital I for l, 0 for O, rn for m', async () => {
    const code = ((await (await get(r.url, '/api/invite', admin, 'application/json')).json()) as { code: string }).code;
    const reg = (name: string) => register(r.url, { name, password: 'a good password', code });
    expect((await reg('Alice')).status).toBe(201);
    expect((await reg('Bob0')).status).toBe(201);
    expect((await reg('mallory')).status).toBe(201);
    // And "challenge", whose /users/ path is registration's challenge, not a profile.
    for (const lookalike of ['alice', 'AIice', 'A1ice', 'BobO', 'bobo', 'rnallory', 'Challenge']) {
      const res = await reg(lookalike);
      expect(res.status, lookalike).toBe(409);
      expect(((await res.json()) as { error: string }).error).toMatch(/taken/);
    }
  });
});

describe('registration closed (REGISTRATION=closed)', () => {
  let r: Replica;
  let admin: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { registration: 'closed' });
    admin = await account(r.url, 'keeper');
  });
  afterAll(() => r.close());

  it('refuses anyone but an admin, who creates accounts through the same POST /users and stays signed in as themselves', async () => {
    expect((await register(r.url, { name: 'walkin', password: 'a good password' })).status).toBe(403);
    const made = await register(r.url, { name: 'walkin', password: 'a good password' }, { cookie: admin });
    expect(made.status).toBe(201);
    expect(made.headers.getSetCookie().filter((c) => c.startsWith('chat_session='))).toEqual([]);
    expect((await json(r.url, '/session', { name: 'walkin', password: 'a good password' })).status).toBe(200);
    expect((await get(r.url, '/api/invite', admin, 'application/json')).status).toBe(200);
  });
});

describe('open registration behind the proof-of-work challenge (REGISTRATION=open)', () => {
  let r: Replica;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { registration: 'open', registrationChallenge: true });
    await account(r.url, 'first');
  });
  afterAll(() => r.close());

  const solved = async () => {
    const { challenge } = (await (await get(r.url, '/users/challenge', undefined, 'application/json')).json()) as { challenge: Parameters<typeof solveChallenge>[0]['challenge'] };
    const solution = await solveChallenge({ challenge, deriveKey });
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  };

  it('refuses without an answer or with a wrong one, registers with a solved one, and refuses the same answer twice', async () => {
    expect((await register(r.url, { name: 'bot', password: 'a good password' })).status).toBe(403);
    const answer = await solved();
    const forged = JSON.parse(Buffer.from(answer, 'base64').toString()) as { solution: { derivedKey: string } };
    forged.solution.derivedKey = forged.solution.derivedKey.replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
    expect((await register(r.url, { name: 'bot', password: 'a good password', altcha: Buffer.from(JSON.stringify(forged)).toString('base64') })).status).toBe(403);
    const res = await register(r.url, { name: 'human', password: 'a good password', altcha: answer });
    expect(res.status).toBe(201);
    const replay = await register(r.url, { name: 'human2', password: 'a good password', altcha: answer });
    expect(replay.status).toBe(403);
    expect(((await replay.json()) as { error: string }).error).toMatch(/used already/);
  });

  it('answers malformed answers with 403, never a 500', async () => {
    const { challenge } = (await (await get(r.url, '/users/challenge', undefined, 'application/json')).json()) as { challenge: { parameters: Record<string, unknown> } };
    const odd: unknown[] = [123, true, [], {}, '!!!', 'x'.repeat(5000), Buffer.from('{"challenge":null}').toString('base64'),
      { challenge: { parameters: {} , signature: 'x' }, solution: {} },
      { challenge, solution: { counter: -1, derivedKey: 'zz' } },
      { challenge: { ...challenge, parameters: { ...challenge.parameters, nonce: 'not hex' } }, solution: { counter: 1, derivedKey: '00' } }];
    for (const altcha of odd) {
      const res = await register(r.url, { name: 'oddity', password: 'a good password', altcha });
      expect(res.status, JSON.stringify(altcha).slice(0, 80)).toBe(403);
    }
  });

  it('puts the challenge in the join page for the script in public/ to solve', async () => {
    const html = await (await get(r.url, '/join')).text();
    expect(html).toMatch(/name="altcha" value="" data-challenge="\{/);
    expect(html).toContain('<script type="module" src="/public/altcha.js"></script>');
  });
});
