/**
 * Slack's message markup as this chat's Markdown: <@U123> becomes @name, <#C123|dev> #dev,
 * <!here> @here, <https://x|label> [label](https://x), <https://x> the bare address; Slack's
 * escapes (&amp; &lt; &gt;) are undone, since the renderer escapes what it shows.
 */
export function slackToMarkdown(text: string, nameOf: (slackUserId: string) => string | undefined): string {
  return text
    .replace(/<([^<>]*)>/g, (_all, inner: string) => {
      const [target, label] = splitOnce(inner, '|');
      if (target.startsWith('@')) return `@${nameOf(target.slice(1)) ?? label ?? 'someone'}`;
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!')) return `@${(label ?? target.slice(1)).replace(/^@/, '').split('^')[0]}`;
      if (!/^(https?|mailto):/i.test(target)) return label ?? target;
      return label && label !== target ? `[${escapeLabel(label)}](${target.replace(/\)/g, '%29')})` : target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}

const escapeLabel = (label: string) => label.replace(/[[\]]/g, '\\$&');

/** Slack's ts ("1700000000.000200") as a time, to the microsecond PostgreSQL keeps. */
export function tsToIso(ts: string): string {
  const [secs, frac = '0'] = ts.split('.');
  const ms = Number(secs) * 1000 + Number(frac.padEnd(6, '0').slice(0, 3));
  return new Date(ms).toISOString().replace('Z', `${frac.padEnd(6, '0').slice(3, 6)}Z`);
}
