import { describe, expect, it } from 'vitest';
import { addressKey } from '../../src/web/client-address.ts';

describe('client addresses as limit keys for new accounts', () => {
  it('count an IPv6 client by its /48 and an IPv4 client by its address', () => {
    expect(addressKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1::/48');
    expect(addressKey('2001:db8:1:ffff:1:2:3:4', 48)).toBe('2001:db8:1::/48');
    expect(addressKey('[2001:db8:2::1]:443', 48)).toBe('2001:db8:2::/48');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('192.0.2.7', 48)).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7', 48)).toBe('192.0.2.7');
  });
});
