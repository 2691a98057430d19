import { describe, expect, it } from 'vitest';
import { renderBody } from '../../src/messages/markdown.ts';

// The Markdown subset a chat needs, and nothing that is noise in a chat.
const ctx = { roomExists: (s: string) => s === 'general', personExists: (n: string) => ['alice', 'bob.smith'].includes(n.toLowerCase()) };

describe('message formatting', () => {
  it('renders emphasis, code spans, fenced blocks, quotes and lists', () => {
    expect(renderBody('**bold** *it* ~~gone~~ `x < y`')).toBe('<p><strong>bold</strong> <em>it</em> <s>gone</s> <code>x &lt; y</code></p>\n');
    expect(renderBody('```ts\nconst a = 1;\n```')).toBe('<pre><code class="language-ts">const a = 1;\n</code></pre>\n');
    expect(renderBody('> quoted\n\n- one\n- two\n\n1. first')).toBe(
      '<blockquote>\n<p>quoted</p>\n</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n</ol>\n');
  });

  it('keeps line breaks as written', () => {
    expect(renderBody('first line\nsecond line')).toBe('<p>first line<br>\nsecond line</p>\n');
  });

  it('leaves headings, tables, images and rules as the text that was typed', () => {
    expect(renderBody('# not a heading')).toBe('<p># not a heading</p>\n');
    expect(renderBody('a | b\n--|--\n1 | 2')).not.toContain('<table');
    expect(renderBody('![cat](https://cats.example/c.png)')).not.toContain('<img');
    expect(renderBody('---')).not.toContain('<hr');
  });

  it('links URLs in the text, opening a new tab without passing the chat on', () => {
    expect(renderBody('docs at https://example.org/a?b=1&c=2.')).toBe(
      '<p>docs at <a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">https://example.org/a?b=1&amp;c=2</a>.</p>\n');
  });

  it('links a message\'s own address in this chat (a reply\'s quote) in the same tab, and no other relative address', () => {
    expect(renderBody('> hi\n> — [ann](/rooms/general/messages/42#m-42)')).toBe(
      '<blockquote>\n<p>hi<br>\n— <a href="/rooms/general/messages/42#m-42">ann</a></p>\n</blockquote>\n');
    for (const bad of ['/rooms/general/settings', '//evil.example/rooms/a/messages/1', '/\\evil.example', '/rooms/a/messages/1?x=<b>']) {
      expect(renderBody(`[x](${bad})`), bad).not.toMatch(/href="(?!#")/);
    }
  });

  it('marks @mentions of people who exist, and links #rooms that exist, with the lookups it is given', () => {
    expect(renderBody('hi @alice and @Bob.Smith, not @nobody, mail me at carol@example.org', ctx)).toBe(
      '<p>hi <span class="mention">@alice</span> and <span class="mention">@Bob.Smith</span>, not @nobody, mail me at ' +
      '<a href="mailto:carol@example.org" rel="noopener noreferrer nofollow" target="_blank">carol@example.org</a></p>\n');
    expect(renderBody('see #general, not #secret or a#general', ctx)).toBe('<p>see <a class="room-link" href="/rooms/general">#general</a>, not #secret or a#general</p>\n');
    expect(renderBody('**@alice** `@alice` [#general](https://example.org)', ctx)).toBe(
      '<p><strong><span class="mention">@alice</span></strong> <code>@alice</code> <a href="https://example.org" rel="noopener noreferrer nofollow" target="_blank">#general</a></p>\n');
  });

  it('renders a deleted message, which has no body, as nothing', () => {
    expect(renderBody(null)).toBe('');
    expect(renderBody('')).toBe('');
  });
});
