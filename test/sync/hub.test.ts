import { describe, expect, it } from 'vitest';
import { encodeCursor, START, type Position } from '../../src/sync/cursor.ts';
import type { Message } from '../../src/sync/message.ts';
import type { Batch } from '../../src/sync/feed.ts';
import { Hub } from '../../src/sync/hub.ts';
import type { EventKind, LogEvent } from '../../src/sync/log.ts';
import { EventStreamParser } from '../../src/sync/event-parser.ts';

const at = (id: number): Position => ({ tx: 5n, id: BigInt(id) });
const render = (m: Message) => `<p>${m.body}</p>`;

function event(id: number, room: string | null, kind: EventKind = 'message', body = `text ${id}`, messageId = String(id)): LogEvent {
  const withMessage = kind === 'message' || kind === 'edit' || kind === 'reaction' || kind === 'delete';
  const message: Message | null = withMessage
    ? { id: messageId, cursor: encodeCursor(at(id)), room: room ?? '', author: 'ann', body, createdAt: '2026-01-01T00:00:00.000Z' }
    : null;
  return { kind, position: at(id), room, roomId: room ? 1 : null, userId: '1', messageId: withMessage ? messageId : null, message, person: kind === 'member' ? 'bob' : null };
}
const parse = (text: string) => new EventStreamParser().push(text);

describe('the hub', () => {
  it('renders an event once as the frame every stream sends: its cursor, its name and its data', () => {
    const hub = new Hub({ render });
    const item = hub.frame(event(1, 'general'));
    const [sent] = parse(item.frame);
    expect(sent).toMatchObject({ id: encodeCursor(at(1)), event: 'message' });
    expect(JSON.parse(sent!.data)).toMatchObject({ id: '1', body: 'text 1', html: '<p>text 1</p>' });
    expect(item.bytes).toBe(Buffer.byteLength(item.frame));
    expect(parse(hub.frame(event(2, 'general', 'member')).frame)[0]!.event).toBe('room');
  });

  it('leaves account changes and events of no room out of the feeds', async () => {
    const hub = new Hub({ render });
    const items = await hub.frames([event(1, 'general'), event(2, null, 'room'), event(3, 'general', 'user'), event(4, 'random')]);
    expect(items.map((i) => Number(i.position.id))).toEqual([1, 4]);
  });

  it('appends a poll to each room feed and the all-rooms feed, moves the head and wakes each feed once', async () => {
    const hub = new Hub({ render });
    const woken: Record<string, Batch[]> = { general: [], random: [], all: [] };
    hub.feed('general').listeners.add((b) => woken.general!.push(b));
    hub.feed('random').listeners.add((b) => woken.random!.push(b));
    hub.all.listeners.add((b) => woken.all!.push(b));
    hub.append(await hub.frames([event(1, 'general'), event(2, 'random'), event(3, 'general')]), at(3));
    expect(hub.head).toEqual(at(3));
    expect(woken.general!.map((b) => b.items.length)).toEqual([2]);
    expect(woken.random!.map((b) => b.items.length)).toEqual([1]);
    expect(woken.all!.map((b) => b.items.length)).toEqual([3]);
    expect(hub.delivered).toBe(6);
    expect(hub.streamCount()).toBe(3);
  });

  it('starts the feed of a room it has not seen at the head, so older events come from the database', () => {
    const hub = new Hub({ render });
    hub.append([], at(7));
    expect(hub.feed('quiet').floor).toEqual(at(7));
  });

  it('seeds a room from the start when it holds all its messages, else from the first one held', () => {
    const hub = new Hub({ render });
    hub.seed('small', [event(1, 'small'), event(2, 'small')], true);
    hub.seed('large', [event(8, 'large'), event(9, 'large')], false);
    expect(hub.feed('small').floor).toEqual(START);
    expect(hub.feed('large').floor).toEqual(at(8));
    expect(hub.feed('small').items).toHaveLength(2);
  });

  it('opens the all-rooms feed at the head once seeding is over', () => {
    const hub = new Hub({ render });
    hub.head = at(4);
    hub.startAll();
    expect(hub.all.floor).toEqual(at(4));
  });

  it('after a deletion, no frame it holds still carries the deleted text or its reactions', async () => {
    const hub = new Hub({ render });
    const posted = { ...event(1, 'general', 'message', 'secret words'), message: { ...event(1, 'general').message!, body: 'secret words', reactions: { '👍': ['ann'] } } };
    hub.append(await hub.frames([posted, event(2, 'general', 'message', 'other')]), at(2));
    hub.append(await hub.frames([{ ...event(3, 'general', 'delete', '', '1') }]), at(3));
    for (const feed of [hub.feed('general'), hub.all]) {
      const text = feed.items.map((i) => i.frame).join('');
      expect(text).not.toContain('secret');
      expect(text).not.toContain('👍');
      expect(text).toContain('other');
      const gone = parse(feed.items[0]!.frame)[0]!;
      expect(JSON.parse(gone.data)).toMatchObject({ id: '1', body: '', deleted: true });
      expect(gone.id).toBe(encodeCursor(at(1)));
    }
  });
});
