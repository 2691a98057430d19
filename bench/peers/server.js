// The peers the bench compares with. One node of a Socket.IO cluster; a post is inserted into
// PostgreSQL, then broadcast to the room through Redis to every node, then acknowledged.
// PEER_ADAPTER picks how the nodes are joined:
// - redis (issue 15, seed 002's design): @socket.io/redis-adapter over Redis pub/sub. Nothing is
//   replayed after a reconnect.
// - streams (issue 25): @socket.io/redis-streams-adapter, each broadcast appended to a Redis stream,
//   with connection-state recovery: a client that comes back (to any node) within 2 minutes with its
//   session id and the offset of its last message gets its rooms back and the messages it missed.
//   The session is saved by the node the socket was on when it sees the socket close; a node that
//   is killed saves nothing, and its sockets then start afresh elsewhere.
import { createServer } from 'node:http';
import postgres from 'postgres';
import { createClient } from 'redis';
import { Server } from 'socket.io';

const { DATABASE_URL, REDIS_URL, NODE_NAME = 'peer', PEER_ADAPTER = 'redis' } = process.env;
if (PEER_ADAPTER !== 'redis' && PEER_ADAPTER !== 'streams') throw new Error(`PEER_ADAPTER is redis or streams, not "${PEER_ADAPTER}"`);
const sql = postgres(DATABASE_URL, { max: 10, onnotice: () => {} });
const pub = createClient({ url: REDIS_URL });
await pub.connect();
let adapter;
if (PEER_ADAPTER === 'streams') {
  const { createAdapter } = await import('@socket.io/redis-streams-adapter');
  adapter = createAdapter(pub);
} else {
  const { createAdapter } = await import('@socket.io/redis-adapter');
  const sub = pub.duplicate();
  await sub.connect();
  adapter = createAdapter(pub, sub);
}
const recovery = PEER_ADAPTER === 'streams' ? { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true } } : {};

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok' : 'not found');
});
const io = new Server(http, { transports: ['websocket'], serveClient: false, adapter, ...recovery });

// The session is checked once, when the socket connects (seed 002 kept it for the connection); a
// recovered socket skips it, its name restored with its session.
io.use(async (socket, next) => {
  const token = String(socket.handshake.auth?.token ?? socket.handshake.query.token ?? '');
  const [user] = await sql`SELECT name FROM peer_sessions WHERE token = ${token}`;
  if (!user) return next(new Error('sign in first'));
  socket.data.name = user.name;
  next();
});

io.on('connection', (socket) => {
  // A recovered socket is back in its rooms (and has been sent what it missed); joining again is a no-op.
  const room = socket.handshake.query.room;
  if (typeof room === 'string' && room) socket.join(room);
  socket.on('post', async (msg, ack) => {
    try {
      const [row] = await sql`
        INSERT INTO peer_messages (room, author, body) VALUES (${msg.room}, ${socket.data.name}, ${msg.body})
        RETURNING id, created_at`;
      const message = { id: String(row.id), room: msg.room, author: socket.data.name, body: msg.body, createdAt: row.created_at };
      io.to(msg.room).emit('message', message);
      if (typeof ack === 'function') ack({ message });
    } catch (err) {
      if (typeof ack === 'function') ack({ error: String(err) });
    }
  });
});

http.listen(0, '127.0.0.1', () => console.log(`listening ${http.address().port} ${NODE_NAME}`));
process.on('SIGTERM', () => {
  io.close();
  void sql.end({ timeout: 1 }).finally(() => process.exit(0));
});
