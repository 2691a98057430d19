// A bot's webhook receiver: checks the signature, refuses stale or replayed deliveries, answers.
// WEBHOOK_SECRET=whsec_... PORT=8787 node bot-receiver.mjs   (Documentation/bots.md)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.WEBHOOK_SECRET;
const seen = new Map(); // X-Chat-Delivery -> when: a repeat within the window is dropped
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c)).on('end', () => {
    const body = Buffer.concat(chunks), ts = String(req.headers['x-chat-timestamp']), id = String(req.headers['x-chat-delivery']);
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-chat-signature']));
    const fresh = Math.abs(Date.now() / 1000 - Number(ts)) <= 300;
    if (!fresh || given.length !== expected.length || !timingSafeEqual(given, expected)) return res.writeHead(401).end();
    for (const [k, at] of seen) if (Date.now() - at > 300_000) seen.delete(k);
    if (seen.has(id)) return res.writeHead(200).end(); // answered already: post nothing twice
    seen.set(id, Date.now());
    const { message, author } = JSON.parse(body);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${author.name} said: ${message.body}`);
  });
}).listen(Number(process.env.PORT ?? 8787), '127.0.0.1', function () { console.log(this.address().port); });
