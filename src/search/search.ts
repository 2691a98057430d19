import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import { fromRow, type Message, type MessageRow } from '../messages/message.ts';
import { encodeNext, type SearchQuery } from './query.ts';

export const SEARCH_PAGE = 20;

export interface SearchResult { message: Message; snippet: string }
export interface SearchPage { results: SearchResult[]; next?: string }

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

/**
 * ts_headline marks the matches with markers made fresh for each search (letters and digits, so
 * escaping leaves them alone and no body can contain them by chance); everything else in the
 * snippet is escaped first, and only then do the markers become <mark>.
 */
export function snippetHtml(headline: string, marker: string): string {
  return escapeHtml(headline).replaceAll(`${marker}s`, '<mark>').replaceAll(`${marker}e`, '</mark>');
}

/**
 * One page of hits among the rooms the caller passes (those the person may read: the route takes
 * them from the registry). Ranked by ts_rank, then newest first.
 */
export async function searchMessages(sql: Sql, roomIds: number[], query: SearchQuery, limit = SEARCH_PAGE): Promise<SearchPage> {
  if (roomIds.length === 0) return { results: [] };
  const marker = `hl${randomBytes(8).toString('hex')}`;
  const options = `StartSel=${marker}s, StopSel=${marker}e, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
  const rows = await sql<(MessageRow & { rank: string; headline: string })[]>`
    SELECT s.*, h.rank::text AS rank,
           ts_headline(search_language(), s.body, websearch_to_tsquery(search_language(), ${query.q}), ${options}) AS headline
    FROM search_hits(${query.q}, ${roomIds}::int[], ${query.from}, ${query.since}, ${query.until},
                     ${query.after?.rank ?? null}::real, ${query.after?.id ?? null}::bigint, ${limit + 1}) h
    JOIN stream_messages s ON s.id = h.id
    ORDER BY h.rank DESC, h.id DESC`;
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const results = shown.map((r) => ({ message: fromRow(r).message, snippet: snippetHtml(r.headline, marker) }));
  const last = shown.at(-1);
  return more && last ? { results, next: encodeNext(last.rank, last.id) } : { results };
}
