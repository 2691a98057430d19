import { describe, expect, it } from 'vitest';
import { isClosedConnectionWrite } from '../../src/db/write-race.ts';

const withStack = (err: Error, stack: string) => Object.assign(err, { stack: `${err.name}: ${err.message}\n${stack}` });

describe('the closed-connection write a replica survives', () => {
  it('is only the database client deferred write finding no socket', () => {
    const fault = withStack(new TypeError("Cannot read properties of null (reading 'write')"),
      '    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)\n    at process.processImmediate (node:internal/timers:483:21)');
    expect(isClosedConnectionWrite(fault)).toBe(true);
    // The same message from our own code, or another error from the client, still ends the process.
    expect(isClosedConnectionWrite(withStack(new TypeError("Cannot read properties of null (reading 'write')"), '    at send (file:///app/src/sync/streams.ts:10:1)'))).toBe(false);
    expect(isClosedConnectionWrite(withStack(new TypeError('x is not a function'), '    at nextWrite (file:///app/node_modules/postgres/src/connection.js:1:1)'))).toBe(false);
    expect(isClosedConnectionWrite(new Error("Cannot read properties of null (reading 'write')"))).toBe(false);
  });
});
