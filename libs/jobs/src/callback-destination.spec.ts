import {
  CallbackDestinationGuard,
  CallbackDestinationRefused,
  refusedRange,
  type HostResolver,
} from './callback-destination';
import { jobsSettings } from './jobs-config';

/** A resolver stub: names map to canned answers; nothing reaches real DNS. */
function stubResolver(answers: Record<string, string[]>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = async (hostname: string) => {
    asked.push(hostname);
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({
      address,
      family: (address.includes(':') ? 6 : 4) as 4 | 6,
    }));
  };
  return Object.assign(resolver, { asked });
}

const strict = { httpsOnly: false, allowLoopback: false, allowedHosts: null };

describe('refusedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.3.4', 'private'],
    ['192.168.0.10', 'private'],
    ['100.64.1.1', 'carrierGradeNat'],
    ['169.254.10.10', 'linkLocal'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    // IPv4 carried in IPv6 is judged as the IPv4 address
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    // translation prefixes can reach any IPv4 address, internal ones included
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::1', '6to4'],
  ])('refuses %s (%s)', (address, range) => {
    expect(refusedRange(address, false)).toBe(range);
  });

  it.each(['8.8.8.8', '151.101.1.69', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'accepts the public unicast address %s',
    (address) => {
      expect(refusedRange(address, false)).toBeNull();
    },
  );

  it('accepts loopback only with the allowance, and nothing else with it', () => {
    expect(refusedRange('127.0.0.1', true)).toBeNull();
    expect(refusedRange('::1', true)).toBeNull();
    expect(refusedRange('10.0.0.1', true)).toBe('private');
    expect(refusedRange('169.254.169.254', true)).toBe('metadata');
  });
});

describe('CallbackDestinationGuard', () => {
  async function refusal(guard: CallbackDestinationGuard, url: string) {
    const error = await guard.resolve(url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CallbackDestinationRefused);
    return error as CallbackDestinationRefused;
  }

  it('refuses a name that resolves to a private, link-local or metadata address', async () => {
    const resolver = stubResolver({
      'internal.example.com': ['10.1.2.3'],
      'meta.example.com': ['169.254.169.254'],
      'v6meta.example.com': ['fd00:ec2::254'],
      'linklocal.example.com': ['fe80::1'],
      'cgnat.example.com': ['100.64.0.7'],
    });
    const guard = new CallbackDestinationGuard(strict, resolver);
    expect((await refusal(guard, 'https://internal.example.com/cb')).reason).toBe('private');
    expect((await refusal(guard, 'https://meta.example.com/latest')).reason).toBe('metadata');
    expect((await refusal(guard, 'https://v6meta.example.com/')).reason).toBe('metadata');
    expect((await refusal(guard, 'https://linklocal.example.com/')).reason).toBe('linkLocal');
    expect((await refusal(guard, 'https://cgnat.example.com/')).reason).toBe('carrierGradeNat');
    expect(resolver.asked).toHaveLength(5);
  });

  it('refuses when any one of the answers is internal (a resolver may hand out either)', async () => {
    const guard = new CallbackDestinationGuard(
      strict,
      stubResolver({ 'mixed.example.com': ['8.8.8.8', '192.168.1.1'] }),
    );
    const error = await refusal(guard, 'https://mixed.example.com/cb');
    expect(error.reason).toBe('private');
    expect(error.message).toContain('192.168.1.1');
    expect(error.message).not.toContain('/cb');
  });

  it('judges IP literals without a lookup, bracketed IPv6 included', async () => {
    const resolver = stubResolver({});
    const guard = new CallbackDestinationGuard(strict, resolver);
    expect((await refusal(guard, 'http://127.0.0.1:8080/cb')).reason).toBe('loopback');
    expect((await refusal(guard, 'http://[::1]/cb')).reason).toBe('loopback');
    expect((await refusal(guard, 'http://[::ffff:a9fe:a9fe]/')).reason).toBe('metadata');
    expect((await refusal(guard, 'http://169.254.169.254/latest/meta-data')).reason).toBe(
      'metadata',
    );
    // the WHATWG parser turns these spellings of 127.0.0.1 into the dotted form first
    expect((await refusal(guard, 'http://2130706433/')).reason).toBe('loopback');
    expect((await refusal(guard, 'http://0x7f.1/')).reason).toBe('loopback');
    expect(resolver.asked).toEqual([]);
  });

  it('accepts a public name and returns the address to pin', async () => {
    const guard = new CallbackDestinationGuard(
      strict,
      stubResolver({ 'hooks.example.com': ['151.101.1.69', '2606:4700::1111'] }),
    );
    const { url, address } = await guard.resolve('https://hooks.example.com/cb?t=1');
    expect(url.hostname).toBe('hooks.example.com');
    expect(address).toEqual({ address: '151.101.1.69', family: 4 });
  });

  it('an unresolvable name is its own reason (may resolve later)', async () => {
    const guard = new CallbackDestinationGuard(strict, stubResolver({}));
    expect((await refusal(guard, 'https://nowhere.example.com/')).reason).toBe('unresolvable');
    // a lookup that never answers is given up, not waited on
    const hanging = new CallbackDestinationGuard(strict, () => new Promise(() => undefined), 20);
    const error = await refusal(hanging, 'https://slow.example.com/');
    expect(error.reason).toBe('unresolvable');
    expect(error.message).toContain('ETIMEDOUT');
  });

  it('is https-only in production, refuses credentials and other schemes', async () => {
    const resolver = stubResolver({ 'hooks.example.com': ['151.101.1.69'] });
    const prod = new CallbackDestinationGuard({ ...strict, httpsOnly: true }, resolver);
    expect((await refusal(prod, 'http://hooks.example.com/cb')).reason).toBe('scheme');
    await expect(prod.resolve('https://hooks.example.com/cb')).resolves.toBeDefined();
    expect((await refusal(prod, 'https://u:p@hooks.example.com/')).reason).toBe('credentials');
    expect((await refusal(prod, 'ftp://hooks.example.com/')).reason).toBe('scheme');
    expect((await refusal(prod, 'not a url')).reason).toBe('invalid');
  });

  it('with an allow-list, only listed hosts pass, and they are still judged by address', async () => {
    const resolver = stubResolver({
      'hooks.example.com': ['151.101.1.69'],
      'a.partner.example': ['151.101.1.70'],
      'internal.partner.example': ['10.0.0.9'],
      'other.example.com': ['151.101.1.71'],
    });
    const guard = new CallbackDestinationGuard(
      { ...strict, allowedHosts: ['hooks.example.com', '*.partner.example'] },
      resolver,
    );
    await expect(guard.resolve('https://hooks.example.com/cb')).resolves.toBeDefined();
    await expect(guard.resolve('https://A.Partner.Example/cb')).resolves.toBeDefined();
    expect((await refusal(guard, 'https://other.example.com/cb')).reason).toBe('not_allowed');
    expect((await refusal(guard, 'https://partner.example.evil.com/')).reason).toBe('not_allowed');
    expect((await refusal(guard, 'https://internal.partner.example/')).reason).toBe('private');
    // refused by the list before any lookup
    expect(resolver.asked).not.toContain('other.example.com');
  });
});

describe('callback settings', () => {
  it('production: https only, and the loopback allowance refused naming the variable', () => {
    expect(jobsSettings({ SHOPWIRE_ENV: 'production' }).callbackPolicy).toEqual({
      httpsOnly: true,
      allowLoopback: false,
      allowedHosts: null,
    });
    expect(() =>
      jobsSettings({ SHOPWIRE_ENV: 'production', JOBS_CALLBACK_ALLOW_LOOPBACK: true }),
    ).toThrow(/JOBS_CALLBACK_ALLOW_LOOPBACK.*production/);
  });

  it('development: http allowed, loopback only when asked, the allow-list parsed', () => {
    expect(jobsSettings({}).callbackPolicy).toEqual(strict);
    const env = {
      JOBS_CALLBACK_ALLOW_LOOPBACK: 'true',
      JOBS_CALLBACK_ALLOWED_HOSTS: 'a.example, *.b.example',
    };
    const settings = jobsSettings(env as never);
    expect(settings.callbackPolicy).toEqual({
      httpsOnly: false,
      allowLoopback: true,
      allowedHosts: ['a.example', '*.b.example'],
    });
    // a service's already parsed config goes through again unchanged
    expect(
      jobsSettings({
        JOBS_CALLBACK_ALLOW_LOOPBACK: true,
        JOBS_CALLBACK_ALLOWED_HOSTS: ['a.example'],
      }).callbackPolicy.allowedHosts,
    ).toEqual(['a.example']);
  });
});
