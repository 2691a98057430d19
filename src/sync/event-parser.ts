// Reads an event stream (text/event-stream) as a browser's EventSource does: the inverse of the
// frames hub.ts and streams.ts write. The app itself never reads a stream; the tests, the bench
// and the stack scripts do, and all of them import this one parser (test/, bench/ and scripts/
// already import from src/, never the other way round, so no import runs upward).

/** One dispatched event. `id` is the id field of this event's own block, if it had one. */
export interface ServerEvent { event: string; data: string; id: string | undefined }

const LINE_END = /\r\n|\r|\n/g;

/**
 * Feed it chunks as they arrive, cut anywhere (inside a line, inside a CRLF, inside a UTF-8
 * character): each call returns the events the chunk completed. Only the unfinished line is
 * carried to the next call, so no line is ever read twice.
 */
export class EventStreamParser {
  /** The last id field seen, as EventSource keeps it to send as Last-Event-ID. */
  lastEventId: string | undefined;
  /** The last retry field seen, in milliseconds. */
  retryMs: number | undefined;
  private readonly decoder = new TextDecoder();
  private tail = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  push(chunk: string | Uint8Array): ServerEvent[] {
    const text = this.tail + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    const out: ServerEvent[] = [];
    let start = 0;
    LINE_END.lastIndex = 0;
    for (let m = LINE_END.exec(text); m; m = LINE_END.exec(text)) {
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (m[0] === '\r' && m.index === text.length - 1) break;
      this.line(text.slice(start, m.index), out);
      start = m.index + m[0].length;
    }
    this.tail = text.slice(start);
    return out;
  }

  private line(line: string, out: ServerEvent[]): void {
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  private dispatch(out: ServerEvent[]): void {
    // As in EventSource: a block without data (a retry line, a lone id) dispatches nothing.
    if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
    this.event = '';
    this.data = [];
    this.id = undefined;
  }
}

/** Every event of a response body, in order, until the body ends (or its reader is aborted). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const parser = new EventStreamParser();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield* parser.push(value);
    }
  } finally {
    reader.releaseLock();
  }
}
