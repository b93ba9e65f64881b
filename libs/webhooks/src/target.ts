import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where a webhook may deliver (docs/webhooks.md, "Targets"): http or https only, and — unless the deployment allows
 * it (WEBHOOK_ALLOW_PRIVATE_TARGETS, the default outside production) — no address on this machine or its private
 * networks, so that a subscription cannot make the service reach what only it can reach (SSRF). Checked when a
 * subscription is made, and again at every connection on the address actually dialled (a name that resolves
 * elsewhere later, DNS rebinding, is refused then).
 */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
// ::/96 holds ::, ::1 and the deprecated IPv4-compatible addresses (::127.0.0.1 was let through); 100::/64 discards,
// 2001:db8::/32 is for documentation.
for (const [net, bits] of [['::', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32]] as const)
  NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

/** Loopback, private, link-local, shared, multicast or reserved: an address that is not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class TargetRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TargetRefused';
  }
}

/** The URL, parsed, if it may be a webhook's target as written: http(s), a host, no credentials, no fragment. */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetRefused(`must be http or https, not ${url.protocol.replace(':', '')}`);
  if (url.username || url.password) throw new TargetRefused('must not carry a user name or password: the signature authenticates the service');
  if (url.hash) throw new TargetRefused('must not have a fragment');
  return url;
}

const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Refuses a target that names or resolves to a non-public address, unless private targets are allowed. A name
 * that does not resolve is refused too: a subscription that cannot be delivered to is a mistake to say at once.
 */
export async function checkTarget(raw: string, allowPrivate: boolean, resolve: (host: string) => Promise<readonly string[]> = resolveAll): Promise<URL> {
  const url = parseTarget(raw);
  if (allowPrivate) return url;
  const host = hostOf(url);
  if (host === 'localhost' || host.endsWith('.localhost')) throw new TargetRefused(`${host} is this machine: private and loopback targets are not allowed here (WEBHOOK_ALLOW_PRIVATE_TARGETS)`);
  let addresses: readonly string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    throw new TargetRefused(`${host} does not resolve`);
  }
  const inside = addresses.find(isPrivateAddress);
  if (inside) throw new TargetRefused(`${host} is ${inside}, a private or loopback address: not allowed here (WEBHOOK_ALLOW_PRIVATE_TARGETS)`);
  return url;
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, addresses: LookupAddress[]) => (error ? reject(error) : resolve(addresses.map((a) => a.address)))),
  );
}

/** A DNS lookup for http.request that refuses to connect to a non-public address (when those are not allowed). */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return (callback as (e: Error | null, a: LookupAddress[]) => void)(error, []);
    const inside = addresses.find((a) => isPrivateAddress(a.address));
    if (inside) return (callback as (e: Error | null, a: LookupAddress[]) => void)(new TargetRefused(`${hostname} resolves to ${inside.address}, a private address`), []);
    if (options.all) return (callback as (e: Error | null, a: LookupAddress[]) => void)(null, addresses);
    return (callback as (e: Error | null, a: string, f: number) => void)(null, addresses[0].address, addresses[0].family);
  });
};
