import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A resolved address; the guard connects to exactly the ones it checked. */
export interface Address { address: string; family: number }
export type Resolve = (host: string) => Promise<Address[]>;

export const systemResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Whether an address is on the public Internet: ipaddr.js's range must be plain unicast, so
 * loopback, private, link-local, carrier-grade NAT, multicast, reserved, unspecified and the
 * IPv6 forms that embed an IPv4 address (mapped ones are judged as that IPv4 address) all fail.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** host:port as OUTBOUND_ALLOW spells it, for an URL (IPv6 hosts in brackets, default ports filled in). */
export function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** The bare host an URL names, without IPv6 brackets. */
export function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export const isIpLiteral = (host: string) => isIP(host) !== 0;
