import { parse } from 'parse5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStream, postJson, signIn } from '../support/client.ts';
import { freshDatabase } from '../support/db.ts';
import { startReplica, type Replica } from '../support/replica.ts';
import { activeContent } from './active-content.ts';
import { postForm, renderedAsText, XSS_PAYLOADS } from './helpers.ts';

const clean = { missing: [], leftover: [] };
// Everything hostile stored so far: any page may show any of it.
const stored: string[] = [];
const PAGE = { accept: 'text/html' };
// Links the message partial itself makes: permalinks and the like.
const INTERNAL = /^\/(rooms|files)\//;
// The partial's own picture of the author (a name is letters, digits and . _ -): not hostile text.
const AVATAR = /<a class="avatar hue-\d" href="\/users\/[A-Za-z0-9._-]+" tabindex="-1" aria-hidden="true"><img src="\/users\/[A-Za-z0-9._-]+\/avatar" alt="" width="36" height="36" loading="lazy" decoding="async"><\/a>/g;
const withoutAvatars = (html: string) => html.replace(AVATAR, '');
const messagesOf = (page: string) => page.slice(page.indexOf('<ol class="messages"'), page.indexOf('<div id="latest">'));
const html = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers: { ...PAGE, ...headers } })).text();

type Node = { nodeName: string; tagName?: string; attrs?: { name: string; value: string }[]; childNodes?: Node[]; content?: Node };
/**
 * Whatever on a whole page would run inline, as a browser's parser sees it (parse5 is the HTML
 * standard's algorithm): a script without src, an event-handler or style attribute, any attribute
 * whose value is a javascript: URL (browsers drop tabs, line breaks and leading blanks in URLs).
 * Hostile text inside a quoted, escaped attribute value (data-title="&lt;img onerror=...") is no
 * attribute of its own, so it is not reported; markup that broke out of the value would be.
 */
function inlineActive(page: string): string[] {
  const found: string[] = [];
  const walk = (node: Node) => {
    if (node.tagName === 'script' && !node.attrs?.some((a) => a.name === 'src')) found.push('<script> without src');
    for (const a of node.attrs ?? []) {
      if (/^on/i.test(a.name) || a.name.toLowerCase() === 'style') found.push(`${node.tagName} ${a.name}="${a.value}"`);
      if (/^javascript:/i.test(a.value.replace(/[\x00-\x20]/g, ''))) found.push(`${node.tagName} ${a.name}="${a.value}"`);
    }
    for (const child of node.childNodes ?? []) walk(child);
    if (node.content) walk(node.content);
  };
  walk(parse(page));
  return found;
}

describe('hostile text', () => {
  let r: Replica;
  let cookie: string;
  beforeAll(async () => {
    r = await startReplica(await freshDatabase(), { rateLimitMessages: null });
    cookie = await signIn(r.url);
  });
  afterAll(() => r.close());

  it('produces nothing active on the room page, in the live stream or on history pages', async () => {
    const stream = await openStream(r.url, 'general', { cookie });
    for (const p of XSS_PAYLOADS) expect((await postJson(r.url, cookie, 'general', p)).status).toBe(201);
    stored.push(...XSS_PAYLOADS);
    const last = (await (await postJson(r.url, cookie, 'general', 'the end')).json()) as { message: { cursor: string } };
    const events = (await stream.waitFor(XSS_PAYLOADS.length + 1)).slice(0, XSS_PAYLOADS.length);
    stream.close();

    // Bodies go through Markdown (src/messages/markdown.ts, and markdown-xss.test.ts for its own
    // suite): what a browser parses from the rendered messages must hold nothing active.
    expect(events.map((e) => e.message.body)).toEqual(XSS_PAYLOADS);
    expect(activeContent(withoutAvatars(events.map((e) => e.message.html).join('\n')), INTERNAL)).toEqual([]);
    const page = await html(`${r.url}/rooms/general`, { cookie });
    expect(messagesOf(page)).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(activeContent(withoutAvatars(messagesOf(page)), INTERNAL)).toEqual([]);
    const history = await html(`${r.url}/rooms/general?before=${last.message.cursor}`, { cookie });
    expect(history).not.toContain('the end');
    expect(activeContent(withoutAvatars(messagesOf(history)), INTERNAL)).toEqual([]);
  });

  it('cannot forge events in the stream with line breaks', async () => {
    const stream = await openStream(r.url, 'off-topic', { cookie });
    const forged = 'x\n\nid: 0-0\nevent: message\ndata: {"body":"forged","author":"admin"}\n\nretry: 1\n\ny';
    expect((await postJson(r.url, cookie, 'off-topic', forged)).status).toBe(201);
    expect((await postJson(r.url, cookie, 'off-topic', 'after')).status).toBe(201);
    const events = await stream.waitFor(2);
    stream.close();
    expect(events.map((e) => e.message.body)).toEqual([forged, 'after']);
    expect(events[0]!.id).not.toBe('0-0');
  });

  it('in a room title and topic, put there by an admin, is shown as text', async () => {
    const title = '<img src=x onerror=alert(1)>';
    const topic = '"><script>alert(1)</script>';
    stored.push(title, topic);
    await r.sql`INSERT INTO rooms (slug, title, topic, position) VALUES ('hostile', ${title}, ${topic}, 999)`;
    await expect.poll(async () => (await fetch(`${r.url}/rooms/hostile`, { headers: { cookie } })).status, { timeout: 5000 }).toBe(200);
    expect(renderedAsText(await html(`${r.url}/`, { cookie }), [title, topic])).toEqual(clean);
    expect(renderedAsText(await html(`${r.url}/rooms/hostile`, { cookie }), [title, topic])).toEqual(clean);
    // The messages are Markdown, checked above; the rest of the page shows the title as text.
    const general = await html(`${r.url}/rooms/general`, { cookie });
    expect(renderedAsText(general.replace(messagesOf(general), ''), [title], stored)).toEqual(clean);
  });

  it('echoed back in error pages, the sign-in form and a rejected draft is shown as text', async () => {
    const slug = '<svg onload=alert(1)>';
    const notFound = await fetch(`${r.url}/rooms/${encodeURIComponent(slug)}`, { headers: { ...PAGE, cookie } });
    expect(notFound.status).toBe(404);
    expect(renderedAsText(await notFound.text(), [slug], stored)).toEqual(clean);

    const name = '"><svg onload=alert(1)>';
    const login = await postForm(r.url, '/session', { name, password: 'whatever1', next: '/"><script>alert(1)</script>' }, { origin: r.url });
    expect(login.status).toBe(400);
    expect(renderedAsText(await login.text(), [name], stored)).toEqual(clean);
    const next = '/rooms/general?x="><script>alert(1)</script>';
    expect(renderedAsText(await html(`${r.url}/login?next=${encodeURIComponent(next)}`), [], stored)).toEqual(clean);

    const draft = `</textarea><script>alert(1)</script>${'x'.repeat(4001)}`;
    const rejected = await postForm(r.url, '/rooms/general/messages', { body: draft }, { origin: r.url, cookie });
    expect(rejected.status).toBe(400);
    const again = await rejected.text();
    expect(renderedAsText(again.replace(messagesOf(again), ''), [draft], stored)).toEqual(clean);
  });

  it('could not run inline even if it got through: the policy forbids inline script and the pages need none', async () => {
    for (const path of ['/', '/rooms/general', '/login', '/rooms/nowhere']) {
      const res = await fetch(`${r.url}${path}`, { headers: { ...PAGE, cookie } });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).toMatch(/base-uri 'none'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      // The pages hold every hostile title, topic and body stored above (the room list also as
      // data-title attributes for the script): none of it may become a script, handler, style or
      // javascript: URL of its own, and the page's own markup needs none.
      const page = await res.text();
      if (path === '/' || path === '/rooms/general') expect(page, path).toContain('alert(1)');
      expect(inlineActive(page), path).toEqual([]);
    }
  });
});
