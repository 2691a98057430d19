import { createRequire } from 'node:module';

interface EmojiData { unified: string; short_names: string[]; skin_variations?: Record<string, { unified: string }> }

// Slack's skin-tone-2 to -6 are the five Fitzpatrick modifiers, U+1F3FB to U+1F3FF.
const TONES: Record<string, string> = { 2: '1F3FB', 3: '1F3FC', 4: '1F3FD', 5: '1F3FE', 6: '1F3FF' };
const charOf = (unified: string) => String.fromCodePoint(...unified.split('-').map((h) => parseInt(h, 16)));

let table: Map<string, string> | null = null;

/**
 * Slack's reaction short name ("thumbsup", "+1::skin-tone-3") as the emoji itself, from
 * emoji-datasource, the data set behind Slack's own names; null for a workspace's custom emoji.
 */
export function emojiOf(shortName: string): string | null {
  if (!table) {
    const data = createRequire(import.meta.url)('emoji-datasource/emoji.json') as EmojiData[];
    table = new Map();
    for (const e of data) {
      for (const n of e.short_names) {
        table.set(n, charOf(e.unified));
        for (const [tone, code] of Object.entries(TONES)) {
          const variation = e.skin_variations?.[code];
          if (variation) table.set(`${n}::skin-tone-${tone}`, charOf(variation.unified));
        }
      }
    }
  }
  return table.get(shortName) ?? table.get(shortName.split('::')[0]!) ?? null;
}
