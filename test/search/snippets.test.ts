import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../../src/messages/markdown.ts';
import { snippetHtml } from '../../src/search/snippet.ts';
import { postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';

// A snippet is whole words of the text a reader sees, with the matches marked.
let r: Replica;
let cookie: string;
const snippetsFor = async (q: string) => {
  const res = await fetch(`${r.url}/api/search?${new URLSearchParams({ q })}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { snippet: string }[] }).results.map((x) => x.snippet);
};

beforeAll(async () => {
  r = await startReplica(await freshDatabase(), { rateLimitMessages: null });
  cookie = await signIn(r.url, 'alice');
  for (const body of ['History message number 42', 'Fixed the **flaky** `deploy` step (edited without JS)', `${'filler '.repeat(60)}needle ${'tail '.repeat(60)}`]) {
    expect((await postJson(r.url, cookie, 'general', body)).status).toBe(201);
  }
});
afterAll(() => r?.close());

describe('search snippets', () => {
  it('keep every word of a short message, numbers and closing punctuation included', async () => {
    expect(await snippetsFor('history')).toEqual(['<mark>History</mark> message number 42']);
    expect(await snippetsFor('edited')).toEqual(['Fixed the flaky deploy step (<mark>edited</mark> without JS)']);
  });

  it('show the text without Markdown syntax', async () => {
    const [s] = await snippetsFor('flaky');
    expect(s).toBe('Fixed the <mark>flaky</mark> deploy step (edited without JS)');
  });

  it('cut a long message at whole words around the first match, saying so with an ellipsis', async () => {
    const [s] = await snippetsFor('needle');
    expect(s).toMatch(/^… (filler ){8}<mark>needle<\/mark>( tail){21} …$/);
  });
});

describe('plain text of a body', () => {
  it('keeps link labels, mentions, code and line breaks as words, and drops the syntax', () => {
    expect(plainText('**hi** @bob, see [the docs](https://example.com)\nand `x < y`\n\n- one\n- two')).toBe('hi @bob, see the docs and x < y one two');
  });

  it('closes a match that the window cut, so the markup stays whole', () => {
    const m = 'hlx';
    expect(snippetHtml(`${'a '.repeat(40)}${m}sone two three${m}e b`, m, 3)).toBe('… a <mark>one two</mark> …');
    expect(snippetHtml(`${m}s<b>${m}e & co`, m)).toBe('<mark>&lt;b&gt;</mark> &amp; co');
  });
});
