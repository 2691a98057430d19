import { describe, expect, it } from 'vitest';
import { EventStreamParser, readEvents } from '../../src/sync/event-parser.ts';

const STREAM = 'retry: 2000\n\n: ping\nevent: ping\ndata: {}\n\nid: 1-2\nevent: message\ndata: {"body":"héllo"}\n\nevent: reload\ndata: {"reason":"far"}\n\n';
const ALL = [
  { event: 'ping', data: '{}', id: undefined },
  { event: 'message', data: '{"body":"héllo"}', id: '1-2' },
  { event: 'reload', data: '{"reason":"far"}', id: undefined },
];

const inPieces = (text: string | Uint8Array, cuts: number[]) =>
  [0, ...cuts].map((c, i) => text.slice(c, [...cuts, text.length][i]));

describe('the event-stream parser', () => {
  it('reads each block as one event with its name, data and id, as EventSource does', () => {
    const p = new EventStreamParser();
    expect(p.push(STREAM)).toEqual(ALL);
    expect(p.lastEventId).toBe('1-2');
    expect(p.retryMs).toBe(2000);
  });

  it('counts an event line split across two chunks once', () => {
    const p = new EventStreamParser();
    const cut = STREAM.indexOf('event: message') + 3;
    const events = inPieces(STREAM, [cut]).flatMap((c) => p.push(c));
    expect(events).toEqual(ALL);
  });

  it('gives the same events wherever the stream is cut, even inside a character or a CRLF', () => {
    const bytes = new TextEncoder().encode(STREAM.replaceAll('\n', '\r\n'));
    for (let a = 1; a < bytes.length - 1; a += 3) {
      for (const b of [a + 1, a + 7]) {
        const p = new EventStreamParser();
        const events = inPieces(bytes, b < bytes.length ? [a, b] : [a]).flatMap((c) => p.push(c));
        expect(events, `cut at ${a} and ${b}`).toEqual(ALL);
      }
    }
  });

  it('joins data lines with line breaks and accepts fields without the space or with CR line ends', () => {
    expect(new EventStreamParser().push('data:one\rdata: two\r\revent:x\ndata\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo', id: undefined },
      { event: 'x', data: '', id: undefined },
    ]);
  });

  it('dispatches nothing for a block without data and keeps an unfinished block for later', () => {
    const p = new EventStreamParser();
    expect(p.push('id: 7\n\nevent: message\ndata: {}')).toEqual([]);
    expect(p.lastEventId).toBe('7');
    expect(p.push('\n\n')).toEqual([{ event: 'message', data: '{}', id: undefined }]);
  });

  it('reads a response body to its end', async () => {
    const bytes = new TextEncoder().encode(STREAM);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const piece of inPieces(bytes, [5, 40, 41, 90])) c.enqueue(piece as Uint8Array);
        c.close();
      },
    });
    const events = [];
    for await (const e of readEvents(body)) events.push(e);
    expect(events).toEqual(ALL);
  });
});
