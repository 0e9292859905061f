/**
 * Webhooks must not reach inside our network. A host is resolved at connection time and refused when any of its
 * addresses is loopback, private, link-local, unique-local, carrier-grade NAT, multicast, unspecified or
 * IPv4-mapped, so a DNS answer cannot change between a check and the connection. Development and tests,
 * whose receivers listen on loopback, allow them with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class ForbiddenTargetError extends Error {
  constructor(host: string) {
    super(
      `${host} is a private, loopback or link-local address: webhooks may not reach it (WEBHOOK_ALLOW_PRIVATE_NETWORKS)`,
    );
    this.name = 'ForbiddenTargetError';
  }
}

/** A `lookup` for http(s).request: resolves, then refuses the connection if any address is forbidden. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      if (!allowPrivate && addresses.some((a) => isForbiddenAddress(a.address)))
        return callback(new ForbiddenTargetError(hostname), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 4);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * What a subscription's URL may not be, told when it is created: the address checks are repeated at each connection.
 */
export function webhookUrlProblem(
  url: URL,
  settings: { allowPrivate: boolean; production: boolean },
): { code: string; message: string } | null {
  if (url.username || url.password)
    return {
      code: 'url_credentials',
      message: 'url must not carry credentials (user:password@): sign-in goes in the signature secret',
    };
  if (settings.production && !settings.allowPrivate && url.protocol !== 'https:')
    return { code: 'url_not_https', message: 'url must use https:// in production' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!settings.allowPrivate && (isForbiddenAddress(host) || host === 'localhost' || host.endsWith('.localhost'))) {
    return { code: 'url_private_address', message: `url points to ${host}, a private, loopback or link-local address` };
  }
  return null;
}
