import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress } from '../../src/web/client-address.ts';

// The app as @hono/node-server runs it: the socket arrives in c.env.incoming.
async function seen(trustProxy: boolean, socket: string | undefined, forwarded?: string[]): Promise<string> {
  const app = new Hono().get('/', (c) => c.text(clientAddress(c, trustProxy)));
  const headers = new Headers();
  for (const f of forwarded ?? []) headers.append('x-forwarded-for', f);
  const res = await app.request('/', { headers }, { incoming: { socket: { remoteAddress: socket } } });
  return res.text();
}

describe('the client address used for limits', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', async () => {
    expect(await seen(false, '203.0.113.7', ['1.2.3.4'])).toBe('203.0.113.7');
    expect(await seen(false, '::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the right-most X-Forwarded-For entry behind a trusted proxy: the one the proxy wrote', async () => {
    expect(await seen(true, '10.0.0.2', ['203.0.113.7'])).toBe('203.0.113.7');
    expect(await seen(true, '10.0.0.2', ['1.1.1.1, 2.2.2.2,203.0.113.7'])).toBe('203.0.113.7');
    expect(await seen(true, '10.0.0.2', ['1.1.1.1', '203.0.113.7'])).toBe('203.0.113.7');
  });

  it('falls back to the socket peer when the proxy sent no usable address', async () => {
    expect(await seen(true, '10.0.0.2')).toBe('10.0.0.2');
    expect(await seen(true, '10.0.0.2', ['203.0.113.7, not-an-address'])).toBe('10.0.0.2');
    expect(await seen(true, '10.0.0.2', [''])).toBe('10.0.0.2');
    expect(await seen(true, undefined, ['<script>'])).toBe('unknown');
  });

  it('writes an IPv6 address as its /64 and an IPv4 one as it is, in any notation', () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('[2001:db8:1:2::9]:443')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey(' 192.0.2.1:8080 ')).toBe('192.0.2.1');
    for (const junk of ['', 'unknown', '999.1.1.1', '1.2.3', 'a:b:c', '::g', '1.2.3.4.5']) expect(addressKey(junk), junk).toBeNull();
  });
});
