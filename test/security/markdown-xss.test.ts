import { describe, expect, it } from 'vitest';
import { renderBody } from '../../src/messages/markdown.ts';
import { activeContent, hrefs } from './active-content.ts';
import { XSS_PAYLOADS } from './helpers.ts';

// Markdown is where rich text turns into HTML, so this is where hostile text gets its chance. Each
// rendering is parsed as a browser would parse it and searched for anything that could run.
const rendered = (body: string) => renderBody(body, { roomExists: (s) => s === 'general' });
const inert = (body: string) => expect(activeContent(rendered(body), /^\/rooms\/general$/), body.slice(0, 80)).toEqual([]);

const LINKS = [
  '[x](javascript:alert(1))', '[x](JAVASCRIPT:alert(1))', '[x](JaVaScRiPt:alert(1))', '[x](  javascript:alert(1))',
  '[x](jav&#x09;ascript:alert(1))', '[x](jav&#9;ascript:alert(1))', '[x](&#106;avascript:alert(1))', '[x](java&#10;script:alert(1))',
  '[x](<javascript:alert(1)>)', '[x](\\javascript:alert(1))', '[x](javascript&colon;alert(1))', '[x]( \u0000javascript:alert(1))',
  '<javascript:alert(1)>', 'javascript:alert(1)', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](DATA:text/html,<script>alert(1)</script>)', '<data:text/html,<script>alert(1)</script>>', '[x](vbscript:msgbox(1))',
  '[x](VBScript:msgbox(1))', '[x](file:///etc/passwd)', '[x](//evil.example/)', '[x][r]\n\n[r]: javascript:alert(1)',
  '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")', '[x](https://ok.example/"onmouseover="alert(1))',
  '![x](javascript:alert(1))', '![x](https://evil.example/x.png" onerror="alert(1))', 'https://ok.example/<script>alert(1)</script>',
  'mailto:a@b.example?body=<script>alert(1)</script>', '[x](mailto:javascript:alert(1))', '[\\[x\\]](javascript:alert(1))',
];
const RAW = [
  ...XSS_PAYLOADS, '<a href="javascript:alert(1)">x</a>', '<svg><script>alert(1)</script></svg>', '<img src=x onerror=alert(1)//',
  '<details open ontoggle=alert(1)>', '<body onload=alert(1)>', '<div style="background:url(javascript:alert(1))">',
  '<iframe srcdoc="<script>alert(1)</script>">', '<base href="javascript:/">', '<form action=javascript:alert(1)><button>x',
  '<<script>alert(1)//<</script>', '<x onclick=alert(1)>*emph*</x>', '<!-- --><script>alert(1)</script>', '<![CDATA[<script>alert(1)</script>]]>',
];
const CODE = [
  '`<script>alert(1)</script>`', '``<img src=x onerror=alert(1)>``', '```\n<script>alert(1)</script>\n```',
  '```"><script>alert(1)</script>\nx\n```', '```js onload=alert(1)\nx\n```', '    <svg onload=alert(1)>', '~~~<img src=x onerror=alert(1)>\nx\n~~~',
];
const NESTING = [
  '**<b>*x</b>**', '*[**](https://ok.example)**', '[a *b](javascript:alert(1))*', '> <img src=x onerror=alert(1)>\n- <svg onload=alert(1)>',
  '- [x](javascript:alert(1))\n  > `</code><script>alert(1)</script>`', '[`](javascript:alert(1))`](https://ok.example)', '<a href="[x](https://ok.example)">',
  '**[x](https://ok.example "**<script>**")**', '_[x_](javascript:alert(1))_', '@<img src=x onerror=alert(1)> #<svg onload=alert(1)>', '@"><script>',
  '#general"><script>alert(1)</script>', '[#general](javascript:alert(1))', '[@alice](javascript:alert(1))',
];

describe('Markdown never produces active content', () => {
  it('makes no javascript:, data:, vbscript: or other non-web link, however it is spelled', () => {
    for (const body of LINKS) inert(body);
    expect(hrefs(rendered(LINKS.join('\n\n'))).every((h) => /^(https?:\/\/|mailto:)/.test(h))).toBe(true);
  });

  it('shows raw HTML as text: no element or attribute of it survives', () => {
    for (const body of RAW) inert(body);
    expect(rendered('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
  });

  it('keeps HTML inside code spans and fenced blocks as text', () => {
    for (const body of CODE) inert(body);
    expect(rendered('`<b>x</b>`')).toBe('<p><code>&lt;b&gt;x&lt;/b&gt;</code></p>\n');
  });

  it('survives broken nesting of emphasis, links, quotes, lists, mentions and room links', () => {
    for (const body of NESTING) inert(body);
  });

  it('gives every link rel="noopener noreferrer nofollow" and a new tab, and makes only http, https and mailto links', () => {
    const html = rendered('see https://ok.example, [docs](https://docs.example/a?b=1&c=2), mail a@b.org, go www.ok.org');
    expect(hrefs(html)).toEqual(['https://ok.example', 'https://docs.example/a?b=1&c=2', 'mailto:a@b.org', 'http://www.ok.org']);
    expect(html.match(/<a /g)).toHaveLength(4);
    expect(html.match(/rel="noopener noreferrer nofollow" target="_blank"/g)).toHaveLength(4);
  });
});

describe('Markdown under hostile size', () => {
  const BOMBS: [string, string][] = [
    ['10,000 asterisks', '*'.repeat(10_000)], ['10,000 underscores', '_'.repeat(10_000)], ['alternating emphasis', '*_'.repeat(5_000)],
    ['unclosed strong', '**a '.repeat(2_500)], ['10,000 open brackets', '['.repeat(10_000)], ['nested links', '[a]('.repeat(2_000)],
    ['nested brackets', `${'['.repeat(2_000)}x${']'.repeat(2_000)}(https://ok.example)`], ['backticks', '`a'.repeat(5_000)],
    ['deep quotes', '>'.repeat(4_000)], ['deep lists', Array.from({ length: 400 }, (_, i) => `${' '.repeat(i * 2)}- x`).join('\n')],
    ['link list', 'https://a.example/x '.repeat(200)], ['autolink list', '<https://a.example/> '.repeat(190)],
    ['mention list', '@alice '.repeat(570)], ['room list', '#general '.repeat(440)], ['entity pile', '&#x09;'.repeat(660)],
    ['emphasis in links', '[*a*](https://a.example/) '.repeat(150)], ['html pile', '<img src=x onerror=alert(1)>'.repeat(140)],
  ];

  it('stays inert for emphasis bombs, bracket piles and huge link lists, and renders 4,000 characters of any of them in bounded time', () => {
    const times: string[] = [];
    for (const [name, body] of BOMBS) {
      expect(activeContent(rendered(body), /^\/rooms\/general$/), name).toEqual([]);
      // Timed at the longest body a message may have, by the median of five so that a shared
      // machine's pauses do not decide.
      const worst = body.slice(0, 4_000);
      const runs = Array.from({ length: 5 }, () => {
        const started = performance.now();
        rendered(worst);
        return performance.now() - started;
      }).sort((a, b) => a - b);
      times.push(`${name}: ${runs[2]!.toFixed(2)} ms`);
      expect(runs[2], name).toBeLessThan(100);
    }
    console.log(`Markdown, 4,000-character worst cases (median of 5):\n  ${times.join('\n  ')}`);
  });
});
