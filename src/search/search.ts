import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/connect.ts';
import { plainText } from '../messages/markdown.ts';
import { fromRow, type Message, type MessageRow } from '../sync/message.ts';
import { encodeNext, type SearchQuery } from './query.ts';
import { snippetHtml } from './snippet.ts';

export const SEARCH_PAGE = 20;

export interface SearchResult { message: Message; snippet: string }
export interface SearchPage { results: SearchResult[]; next?: string }

/**
 * One page of hits among the rooms the caller passes (those the person may read: the route takes
 * them from the registry). Ranked by ts_rank, then newest first.
 */
export async function searchMessages(sql: Sql, roomIds: number[], query: SearchQuery, limit = SEARCH_PAGE): Promise<SearchPage> {
  if (roomIds.length === 0) return { results: [] };
  const marker = `hl${randomBytes(8).toString('hex')}`;
  const rows = await sql<(MessageRow & { rank: string })[]>`
    SELECT s.*, h.rank::text AS rank
    FROM search_hits(${query.q}, ${roomIds}::int[], ${query.from}, ${query.since}, ${query.until},
                     ${query.after?.rank ?? null}::real, ${query.after?.id ?? null}::bigint, ${limit + 1}) h
    JOIN stream_messages s ON s.id = h.id
    ORDER BY h.rank DESC, h.id DESC`;
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  // Snippets come from the text a reader sees (Markdown gone), with every match marked in full,
  // so the window around the first match is cut at whole words here rather than by ts_headline.
  const options = `StartSel=${marker}s, StopSel=${marker}e, HighlightAll=true`;
  const marked = await sql<{ h: string }[]>`
    SELECT ts_headline(search_language(), t, websearch_to_tsquery(search_language(), ${query.q}), ${options}) AS h
    FROM unnest(${shown.map((r) => plainText(r.body))}::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n`;
  const results = shown.map((r, i) => ({ message: fromRow(r).message, snippet: snippetHtml(marked[i]!.h, marker) }));
  const last = shown.at(-1);
  return more && last ? { results, next: encodeNext(last.rank, last.id) } : { results };
}
