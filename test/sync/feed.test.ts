import { describe, expect, it } from 'vitest';
import { START, type Position } from '../../src/sync/cursor.ts';
import { Batch, RoomFeed, type FeedItem } from '../../src/sync/feed.ts';

const at = (id: number): Position => ({ tx: 10n, id: BigInt(id) });

function item(id: number, text = `message ${id}`): FeedItem {
  const frame = `id: ${id}\nevent: message\ndata: ${JSON.stringify({ body: text })}\n\n`;
  return {
    kind: 'message', position: at(id), room: 'general', roomId: 1, userId: null, messageId: String(id),
    message: null, person: null, frame, bytes: Buffer.byteLength(frame),
  };
}
const items = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => item(from + i));
const ids = (list: FeedItem[]) => list.map((i) => Number(i.position.id));

describe('a batch of one poll', () => {
  it('joins its frames once and frames the bytes as one HTTP/1.1 chunk', () => {
    const batch = new Batch([item(1, 'héllo'), item(2)]);
    expect(batch.text).toBe(item(1, 'héllo').frame + item(2).frame);
    const bytes = Buffer.byteLength(batch.text);
    expect(batch.chunk.toString()).toBe(`${bytes.toString(16)}\r\n${batch.text}\r\n`);
    expect(batch.chunk).toBe(batch.chunk);
  });
});

describe('a room feed', () => {
  it('holds every event after its floor, in order', () => {
    const feed = new RoomFeed(START, 10, 1 << 20);
    feed.push(items(1, 3));
    feed.push(items(4, 5));
    expect(ids(feed.items)).toEqual([1, 2, 3, 4, 5]);
    expect(feed.floor).toEqual(START);
    expect(feed.bytes).toBe(items(1, 5).reduce((n, i) => n + i.bytes, 0));
  });

  it('past its capacity, drops the oldest and raises its floor to the last one dropped', () => {
    const feed = new RoomFeed(START, 3, 1 << 20);
    feed.push(items(1, 5));
    expect(ids(feed.items)).toEqual([3, 4, 5]);
    expect(feed.floor).toEqual(at(2));
    expect(feed.bytes).toBe(items(3, 5).reduce((n, i) => n + i.bytes, 0));
  });

  it('past its bytes, drops the oldest until what it holds fits, however few that leaves', () => {
    const one = item(1).bytes;
    const feed = new RoomFeed(START, 100, one * 2);
    feed.push(items(1, 4));
    expect(ids(feed.items)).toEqual([3, 4]);
    expect(feed.floor).toEqual(at(2));
    feed.push([item(5, 'x'.repeat(one * 3))]);
    expect(feed.items).toEqual([]);
    expect(feed.floor).toEqual(at(5));
    expect(feed.bytes).toBe(0);
  });

  it('answers the events after a position, none after the newest and all before the oldest', () => {
    const feed = new RoomFeed(START, 100, 1 << 20);
    feed.push(items(1, 9));
    expect(ids(feed.after(at(4)))).toEqual([5, 6, 7, 8, 9]);
    expect(ids(feed.after(at(9)))).toEqual([]);
    expect(ids(feed.after(START))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ids(feed.after({ tx: 9n, id: 100n }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ids(feed.after({ tx: 11n, id: 0n }))).toEqual([]);
  });

  it('wakes each listener once with the same batch and counts the deliveries', () => {
    const feed = new RoomFeed(START, 100, 1 << 20);
    expect(feed.wake(items(1, 2))).toBe(0);
    const seen: Batch[] = [];
    feed.listeners.add((b) => seen.push(b));
    feed.listeners.add((b) => seen.push(b));
    expect(feed.wake([])).toBe(0);
    expect(feed.wake(items(1, 2))).toBe(4);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(ids(seen[0]!.items)).toEqual([1, 2]);
  });
});
