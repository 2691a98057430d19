/**
 * postgres 3.4.9 batches a connection's small writes on setImmediate; when the server ends the
 * connection in between (a database shutdown or failover), that deferred write finds no socket and
 * throws outside any promise: "Cannot read properties of null (reading 'write')" in nextWrite.
 * The connection is gone either way and its queries fail with CONNECTION_CLOSED, so a replica
 * must not die of it (it did in test/replicas/outage.test.ts, about one run in two).
 */
export function isClosedConnectionWrite(err: unknown): boolean {
  return err instanceof TypeError
    && /reading 'write'/.test(err.message)
    && /postgres[\\/]src[\\/]connection\.js/.test(err.stack ?? '')
    && /nextWrite/.test(err.stack ?? '');
}
