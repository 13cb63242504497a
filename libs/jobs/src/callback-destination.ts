import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { withTimeout } from '@shopwire/resilience';
import ipaddr from 'ipaddr.js';

/** One answer of a name lookup, as `dns.lookup(name, { all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. Injectable so tests never touch real DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export interface CallbackDestinationPolicy {
  /** Production: only https receivers. */
  httpsOnly: boolean;
  /**
   * Development and tests only (refused in production by the config): receivers on loopback
   * (127.0.0.0/8, ::1) are accepted. Every other internal range stays refused.
   */
  allowLoopback: boolean;
  /**
   * When set, only these hosts may receive callbacks: an exact name, or `*.example.com` for its
   * subdomains. It narrows, never widens: an allowed host that resolves into an internal range is
   * still refused.
   */
  allowedHosts: readonly string[] | null;
}

/** A callback destination the policy refuses; the message says why, never the URL's path or query. */
export class CallbackDestinationRefused extends Error {
  override readonly name = 'CallbackDestinationRefused';
  constructor(
    message: string,
    /** e.g. `private`, `linkLocal`, `metadata`, `scheme`, `not_allowed`, `unresolvable`. */
    readonly reason: string,
  ) {
    super(message);
  }
}

// Cloud metadata services, named on their own: the prize of most SSRF attempts.
const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

/**
 * Why an address may not receive a callback, or null when it may: only globally routed unicast
 * passes. ipaddr.js names the range (private, loopback, linkLocal, uniqueLocal, carrierGradeNat,
 * unspecified, multicast, broadcast, reserved, 6to4, teredo, rfc6052 …); IPv4 mapped into IPv6 is
 * judged as the IPv4 address it carries.
 */
export function refusedRange(address: string, allowLoopback: boolean): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  if (METADATA.has(parsed.toNormalizedString()) || METADATA.has(parsed.toString())) {
    return 'metadata';
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  if (range === 'loopback' && allowLoopback) return null;
  return range;
}

function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allowedHosts.some((entry) => {
    const allowed = entry.toLowerCase().replace(/\.$/, '');
    return allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed;
  });
}

/** The URL's host without IPv6 brackets. */
function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Where a job callback may go. `check` is the cheap, DNS-free part (scheme, credentials in the
 * URL, allow-list, an IP literal's range). `resolve` adds the name lookup and judges every address
 * the name has (one internal answer among public ones is enough to refuse: a resolver may hand
 * out either), and returns the address the connection must use — the caller pins it, so a second
 * lookup (DNS rebinding) cannot move the connection somewhere else.
 */
export class CallbackDestinationGuard {
  constructor(
    readonly policy: CallbackDestinationPolicy,
    private readonly resolver: HostResolver = systemResolver,
    /** A lookup slower than this counts as unresolvable: a submission must not hang on DNS. */
    private readonly lookupTimeoutMs = 5000,
  ) {}

  /** Throws `CallbackDestinationRefused`; returns the parsed URL. */
  check(rawUrl: string): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new CallbackDestinationRefused('callbackUrl is not an absolute URL', 'invalid');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new CallbackDestinationRefused('callbackUrl must be http(s)', 'scheme');
    }
    if (this.policy.httpsOnly && url.protocol !== 'https:') {
      throw new CallbackDestinationRefused('callbackUrl must be https in production', 'scheme');
    }
    if (url.username !== '' || url.password !== '') {
      throw new CallbackDestinationRefused('callbackUrl must not carry credentials', 'credentials');
    }
    const host = bareHost(url);
    if (this.policy.allowedHosts && !hostAllowed(host, this.policy.allowedHosts)) {
      throw new CallbackDestinationRefused(
        `callbackUrl host ${host} is not in JOBS_CALLBACK_ALLOWED_HOSTS`,
        'not_allowed',
      );
    }
    if (isIP(host)) this.judge(host, host);
    return url;
  }

  /** `check`, then the lookup; the address to connect to. */
  async resolve(rawUrl: string): Promise<{ url: URL; address: ResolvedAddress }> {
    const url = this.check(rawUrl);
    const host = bareHost(url);
    const family = isIP(host);
    if (family) return { url, address: { address: host, family: family === 6 ? 6 : 4 } };
    let answers: ResolvedAddress[];
    try {
      answers = await withTimeout(this.lookupTimeoutMs, `looking up ${host}`, () =>
        this.resolver(host),
      );
    } catch (error) {
      throw new CallbackDestinationRefused(
        `callbackUrl host ${host} does not resolve (${(error as { code?: string }).code ?? 'error'})`,
        'unresolvable',
      );
    }
    if (answers.length === 0) {
      throw new CallbackDestinationRefused(
        `callbackUrl host ${host} has no address`,
        'unresolvable',
      );
    }
    for (const answer of answers) this.judge(host, answer.address);
    return { url, address: answers[0]! };
  }

  private judge(host: string, address: string): void {
    const range = refusedRange(address, this.policy.allowLoopback);
    if (range !== null) {
      throw new CallbackDestinationRefused(
        host === address
          ? `callbackUrl points at a ${range} address (${address})`
          : `callbackUrl host ${host} resolves to a ${range} address (${address})`,
        range,
      );
    }
  }
}
