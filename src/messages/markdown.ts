import MarkdownIt from 'markdown-it';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';

/** What the renderer may ask about names in a body; without an answer, every @name is marked and no #room is linked. */
export interface BodyContext {
  /** Whether #slug should link: answer yes only for rooms every member may read, since a body is rendered once for all its readers. */
  roomExists?(slug: string): boolean;
  personExists?(name: string): boolean;
}

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;
const NAME = /^[A-Za-z0-9._-]{0,31}[A-Za-z0-9_]/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,39}/;
const WORD = /[\p{L}\p{N}_.-]/u;

/**
 * The safe Markdown subset of chat messages, on markdown-it (made for the job, CommonMark-exact and
 * well kept) with raw HTML off: what a body's author types is text, whatever it looks like. Links
 * only to http, https and mailto; headings, tables, images, rules and reference definitions are off
 * as noise in a chat.
 */
const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
md.disable(['image', 'table', 'heading', 'lheading', 'hr', 'reference']);
// A message's own address in this chat, which a reply's quote links to: same site, same tab.
const PERMALINK = /^\/rooms\/[a-z0-9][a-z0-9-]{0,39}\/messages\/\d{1,19}(#m-\d{1,19})?$/;
// Called with the normalised (entity-decoded, percent-encoded) URL: "jav&#x09;ascript:" is "jav%09ascript:" here.
md.validateLink = (url) => SAFE_LINK.test(url.trim()) || PERMALINK.test(url.trim());

const escape = md.utils.escapeHtml;

md.renderer.rules.link_open = (tokens, i, options, _env, self) => {
  const token = tokens[i]!;
  if (PERMALINK.test(token.attrGet('href') ?? '')) return self.renderToken(tokens, i, options);
  if (!SAFE_LINK.test(token.attrGet('href') ?? '')) token.attrSet('href', '#');
  token.attrSet('rel', 'noopener noreferrer nofollow');
  token.attrSet('target', '_blank');
  return self.renderToken(tokens, i, options);
};

function lookbehindOk(state: StateInline): boolean {
  return state.pos === 0 || !WORD.test(state.src.charAt(state.pos - 1));
}

// @name and #room as inline tokens of their own, so emphasis, code and links around them keep working.
md.inline.ruler.before('emphasis', 'mention', (state, silent) => {
  const sigil = state.src.charAt(state.pos);
  if ((sigil !== '@' && sigil !== '#') || !lookbehindOk(state)) return false;
  // No link inside a link's text.
  if (sigil === '#' && (state as StateInline & { linkLevel: number }).linkLevel > 0) return false;
  const rest = state.src.slice(state.pos + 1, state.pos + 42);
  const found = (sigil === '@' ? NAME : SLUG).exec(rest)?.[0];
  if (!found || (WORD.test(rest.charAt(found.length)) && rest.charAt(found.length) !== ".")) return false;
  const ctx = (state.env as { ctx?: BodyContext }).ctx ?? {};
  const known = sigil === '@' ? (ctx.personExists?.(found) ?? true) : (ctx.roomExists?.(found) ?? false);
  if (!known) return false;
  if (!silent) state.push(sigil === '@' ? 'mention' : 'room_link', '', 0).content = found;
  state.pos += 1 + found.length;
  return true;
});
md.renderer.rules.mention = (tokens, i) => `<span class="mention">@${escape(tokens[i]!.content)}</span>`;
md.renderer.rules.room_link = (tokens, i) => {
  const slug = escape(tokens[i]!.content);
  return `<a class="room-link" href="/rooms/${slug}">#${slug}</a>`;
};

/** A message body as HTML, once per message; a deleted message (no body) renders as nothing. */
export function renderBody(body: string | null | undefined, ctx: BodyContext = {}): string {
  if (!body) return '';
  return md.render(body, { ctx });
}

/** A body as the words a reader sees, Markdown syntax gone: for search snippets and previews. */
export function plainText(body: string | null | undefined): string {
  if (!body) return '';
  const words: string[] = [];
  for (const block of md.parse(body, {})) {
    if (block.type === 'code_block' || block.type === 'fence') words.push(block.content);
    for (const t of block.children ?? []) {
      if (t.type === 'text' || t.type === 'code_inline') words.push(t.content);
      else if (t.type === 'mention') words.push(`@${t.content}`);
      else if (t.type === 'room_link') words.push(`#${t.content}`);
      else if (t.type === 'softbreak' || t.type === 'hardbreak') words.push(' ');
    }
    if (block.type.endsWith('_close')) words.push(' ');
  }
  return words.join('').replace(/\s+/g, ' ').trim();
}
