import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** The cloud metadata service (AWS, GCP, Azure: 169.254.169.254; AWS over IPv6: fd00:ec2::254): never an input. */
const metadata = new BlockList();
metadata.addAddress('169.254.169.254', 'ipv4');
metadata.addAddress('fd00:ec2::254', 'ipv6');

/** This machine and its link: loopback, link-local, unspecified (IPv4-mapped forms are matched too). */
const local = new BlockList();
local.addSubnet('127.0.0.0', 8, 'ipv4');
local.addSubnet('0.0.0.0', 8, 'ipv4');
local.addSubnet('169.254.0.0', 16, 'ipv4');
local.addSubnet('::', 96, 'ipv6');
local.addAddress('::1', 'ipv6');
local.addSubnet('fe80::', 10, 'ipv6');

export type AddressClass = 'metadata' | 'local' | 'other';

/** What an IP address is, for the input policy. */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (metadata.check(address, family)) return 'metadata';
  return local.check(address, family) ? 'local' : 'other';
}

/** How long a host name may take to resolve before it is let through (the JIT then resolves it itself). */
const LOOKUP_TIMEOUT_MS = 2000;

/**
 * What a URL's host reaches: an IP literal as it is (the URL parser has already turned 0x7f.1,
 * 2130706433 and the like into dotted form), `localhost` names as loopback, other names by what
 * they resolve to here (any one address counts). A name that does not resolve is 'other': the JIT
 * fails on it with its own message.
 */
export async function classifyHost(hostname: string): Promise<AddressClass> {
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(host)) return classifyAddress(host);
  if (host === 'localhost' || host.endsWith('.localhost')) return 'local';
  const addresses = await Promise.race([
    lookup(host, { all: true, verbatim: true }).catch(() => []),
    new Promise<[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS).unref()),
  ]);
  const classes = addresses.map((a) => classifyAddress(a.address));
  return classes.includes('metadata') ? 'metadata' : classes.includes('local') ? 'local' : 'other';
}
