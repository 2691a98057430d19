import type { Message } from '../sync/message.ts';

/**
 * Remembers the HTML of recently rendered messages. A message is rendered once when it is polled,
 * but a reconnect storm renders the same history again for every stream that catches up from the
 * database; Markdown makes that cost real (about 1 ms for a 4,000-character worst case). The key
 * is the whole Message, cursor included, so an edit, a reaction or a deletion is a new entry.
 * Bounded by characters held (keys and HTML), not only by count, since messages vary 1,000-fold.
 */
export function cachedRender(render: (m: Message) => string, maxChars = 4 * 1024 * 1024): (m: Message) => string {
  const cache = new Map<string, string>();
  let chars = 0;
  return (m) => {
    const key = JSON.stringify(m);
    const hit = cache.get(key);
    if (hit !== undefined) {
      // A Map keeps insertion order: move a hit to the end, so eviction drops the least recently used.
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const html = render(m);
    cache.set(key, html);
    chars += key.length + html.length;
    for (const [k, v] of cache) {
      if (chars <= maxChars) break;
      cache.delete(k);
      chars -= k.length + v.length;
    }
    return html;
  };
}
