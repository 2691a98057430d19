const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/**
 * A snippet of whole words around the first match. `marked` is the message's plain text with every
 * match wrapped by ts_headline (HighlightAll) in markers made fresh for each search: letters and
 * digits, so escaping leaves them alone and no body can hold them by chance. Everything is escaped
 * first; only then do the markers become <mark>.
 */
export function snippetHtml(marked: string, marker: string, maxWords = 30): string {
  const open = `${marker}s`;
  const close = `${marker}e`;
  const words = marked.split(' ').filter((w) => w !== '');
  const first = Math.max(0, words.findIndex((w) => w.includes(open)));
  const lead = Math.min(8, Math.floor(maxWords / 3));
  const start = Math.max(0, Math.min(first - lead, words.length - maxWords));
  const end = Math.min(words.length, start + maxWords);
  let text = escapeHtml(words.slice(start, end).join(' '));
  // A match cut by the window's edge still closes.
  const opened = text.split(open).length - text.split(close).length;
  if (opened > 0) text += close;
  text = text.replaceAll(open, '<mark>').replaceAll(close, '</mark>');
  return `${start > 0 ? '… ' : ''}${text}${end < words.length ? ' …' : ''}`;
}
