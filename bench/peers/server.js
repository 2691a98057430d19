// The peer the bench compares with (issue 15): seed 002's design. One node of a Socket.IO cluster
// joined by the Redis adapter; a post is inserted into PostgreSQL, then broadcast to the room
// through Redis to every node, then acknowledged. Nothing is replayed after a reconnect.
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import postgres from 'postgres';
import { createClient } from 'redis';
import { Server } from 'socket.io';

const { DATABASE_URL, REDIS_URL, NODE_NAME = 'peer' } = process.env;
const sql = postgres(DATABASE_URL, { max: 10, onnotice: () => {} });
const pub = createClient({ url: REDIS_URL });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok' : 'not found');
});
const io = new Server(http, { transports: ['websocket'], serveClient: false, adapter: createAdapter(pub, sub) });

// The session is checked once, when the socket connects (seed 002 kept it for the connection).
io.use(async (socket, next) => {
  const token = String(socket.handshake.auth?.token ?? socket.handshake.query.token ?? '');
  const [user] = await sql`SELECT name FROM peer_sessions WHERE token = ${token}`;
  if (!user) return next(new Error('sign in first'));
  socket.data.name = user.name;
  next();
});

io.on('connection', (socket) => {
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
