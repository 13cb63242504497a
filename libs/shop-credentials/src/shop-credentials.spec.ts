import { installationVersion } from '@shopwire/contracts';
import { createHash } from 'node:crypto';
import { Registry } from 'prom-client';
import { ShopCredentialsError, ShopNotInstalledError, ShopReauthRequiredError } from './errors';
import { readChange } from './installation-changes.consumer';
import { ShopCredentials, type TokenSource } from './shop-credentials';
import type { TokenAnswer } from './shops-token-api';

const SHOP = 'acme.myshopify.com';

/** A token source answering from a script, counting calls; answers wait until released. */
class ScriptedSource implements TokenSource {
  gets = 0;
  refreshes: string[] = [];
  answer: () => TokenAnswer = () => token('shpat_1');
  gate: Promise<void> = Promise.resolve();

  async get(): Promise<TokenAnswer> {
    this.gets++;
    await this.gate;
    return this.answer();
  }

  async refresh(_shop: string, sha: string): Promise<TokenAnswer> {
    this.refreshes.push(sha);
    await this.gate;
    return this.answer();
  }
}

function token(accessToken: string, expiresAt: Date | null = null, version = 1): TokenAnswer {
  return { kind: 'token', token: { shop: SHOP, accessToken, expiresAt, scopes: [], version } };
}

function setup(options: { ttl?: number; margin?: number; negative?: number } = {}) {
  let now = 1_000_000;
  const source = new ScriptedSource();
  const registry = new Registry();
  const credentials = new ShopCredentials({
    url: 'http://unused',
    apiToken: 'unused',
    source,
    registry,
    now: () => now,
    cacheTtlMs: options.ttl ?? 60_000,
    expiryMarginMs: options.margin ?? 60_000,
    negativeTtlMs: options.negative ?? 10_000,
  });
  return {
    source,
    credentials,
    registry,
    advance: (ms: number) => (now += ms),
    at: () => now,
  };
}

async function lookups(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('shopwire_shop_credentials_lookups_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.result), v.value]));
}

describe('ShopCredentials', () => {
  it('keeps a token for the TTL, then asks again', async () => {
    const { source, credentials, advance, registry } = setup({ ttl: 60_000 });
    expect(await credentials.accessToken(SHOP)).toBe('shpat_1');
    advance(59_000);
    expect(await credentials.accessToken(SHOP)).toBe('shpat_1');
    expect(source.gets).toBe(1);
    advance(2000);
    source.answer = () => token('shpat_2');
    expect(await credentials.accessToken(SHOP)).toBe('shpat_2');
    expect(source.gets).toBe(2);
    expect(await lookups(registry)).toEqual({ fetched: 2, hit: 1 });
  });

  it('keeps an expiring token only until its expiry minus the margin', async () => {
    const { source, credentials, advance, at } = setup({ ttl: 60_000, margin: 30_000 });
    source.answer = () => token('shpat_1', new Date(at() + 40_000));
    await credentials.accessToken(SHOP);
    advance(9000);
    await credentials.accessToken(SHOP);
    expect(source.gets).toBe(1);
    advance(2000); // 11 s: within 30 s of the expiry
    await credentials.accessToken(SHOP);
    expect(source.gets).toBe(2);
  });

  it('does not keep a token already inside the margin', async () => {
    const { source, credentials, at } = setup({ margin: 60_000 });
    source.answer = () => token('shpat_1', new Date(at() + 10_000));
    expect(await credentials.accessToken(SHOP)).toBe('shpat_1');
    await credentials.accessToken(SHOP);
    expect(source.gets).toBe(2);
  });

  it('sends one request for concurrent lookups of a shop', async () => {
    const { source, credentials } = setup();
    let release!: () => void;
    source.gate = new Promise((r) => (release = r));
    const all = Promise.all(Array.from({ length: 20 }, () => credentials.accessToken(SHOP)));
    release();
    expect(new Set(await all)).toEqual(new Set(['shpat_1']));
    expect(source.gets).toBe(1);
  });

  it.each([
    ['not_installed', ShopNotInstalledError],
    ['reauth_required', ShopReauthRequiredError],
  ] as const)('fails fast on %s and remembers it for the negative TTL', async (kind, type) => {
    const { source, credentials, advance, registry } = setup({ negative: 10_000 });
    source.answer = () => ({ kind });
    for (let i = 0; i < 50; i++) await expect(credentials.accessToken(SHOP)).rejects.toThrow(type);
    expect(source.gets).toBe(1);
    const error = await credentials.accessToken(SHOP).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: kind, shop: SHOP, transient: false });
    advance(10_001);
    source.answer = () => token('shpat_again');
    expect(await credentials.accessToken(SHOP)).toBe('shpat_again');
    expect(source.gets).toBe(2);
    expect(await lookups(registry)).toMatchObject({ [kind]: 1, negative_hit: 50, fetched: 1 });
  });

  it('does not remember a failure to reach the shops service', async () => {
    const { source, credentials } = setup();
    source.answer = () => {
      throw new ShopCredentialsError('unavailable', SHOP, 'down');
    };
    await expect(credentials.accessToken(SHOP)).rejects.toMatchObject({ transient: true });
    source.answer = () => token('shpat_1');
    expect(await credentials.accessToken(SHOP)).toBe('shpat_1');
    expect(source.gets).toBe(2);
  });

  it('asks for a new token with the sha256 of the rejected one, once for concurrent 401s', async () => {
    const { source, credentials } = setup();
    await credentials.accessToken(SHOP);
    source.answer = () => token('shpat_2', null, 2);
    let release!: () => void;
    source.gate = new Promise((r) => (release = r));
    const reports = Promise.all(
      Array.from({ length: 10 }, () => credentials.onUnauthorized(SHOP, 'shpat_1')),
    );
    // a lookup meanwhile waits for the refresh instead of handing out the rejected token
    const lookup = credentials.accessToken(SHOP);
    release();
    expect(new Set(await reports)).toEqual(new Set(['shpat_2']));
    expect(await lookup).toBe('shpat_2');
    expect(source.refreshes).toEqual([createHash('sha256').update('shpat_1').digest('hex')]);
    expect(source.gets).toBe(1);
    // a late report of the same rejected token gets the replacement from memory
    expect(await credentials.onUnauthorized(SHOP, 'shpat_1')).toBe('shpat_2');
    expect(source.refreshes).toHaveLength(1);
  });

  it('fails a refresh for a shop uninstalled meanwhile as not installed', async () => {
    const { source, credentials } = setup();
    source.answer = () => ({ kind: 'not_installed' });
    await expect(credentials.onUnauthorized(SHOP, 'shpat_1')).rejects.toThrow(
      ShopNotInstalledError,
    );
    await expect(credentials.accessToken(SHOP)).rejects.toThrow(ShopNotInstalledError);
    expect(source.gets).toBe(0);
  });

  it('forgets a shop on invalidate, and does not store an answer asked for before it', async () => {
    const { source, credentials } = setup();
    source.answer = () => ({ kind: 'not_installed' });
    await expect(credentials.accessToken(SHOP)).rejects.toThrow(ShopNotInstalledError);
    credentials.invalidate(SHOP, 'installation_changed');
    source.answer = () => token('shpat_new');
    expect(await credentials.accessToken(SHOP)).toBe('shpat_new');

    let release!: () => void;
    source.gate = new Promise((r) => (release = r));
    credentials.invalidate(SHOP);
    const before = credentials.accessToken(SHOP);
    credentials.invalidate(SHOP); // e.g. the token rotated while that lookup was in the air
    release();
    expect(await before).toBe('shpat_new');
    source.answer = () => token('shpat_rotated');
    expect(await credentials.accessToken(SHOP)).toBe('shpat_rotated');
  });

  it('never puts a token into an error message', async () => {
    const { source, credentials } = setup();
    source.answer = () => ({ kind: 'reauth_required' });
    const error = (await credentials.onUnauthorized(SHOP, 'shpat_secret').catch((e) => e)) as Error;
    expect(error.message).not.toContain('shpat_secret');
  });
});

describe('readChange', () => {
  const event = {
    eventId: 'e-1',
    type: 'installation.uninstalled',
    schemaVersion: 1,
    occurredAt: '2026-12-05T10:00:00.000Z',
    shopDomain: SHOP,
    aggregateId: SHOP,
    aggregateVersion: installationVersion(1, 2),
    causationId: null,
    data: { status: 'uninstalled', scopes: [], grantType: 'authorization_code', generation: 1 },
  };

  it('takes the shop from the key, else from the decoded event', () => {
    const value = Buffer.from(JSON.stringify(event));
    expect(readChange({ key: Buffer.from(SHOP), value })).toEqual({
      shop: SHOP,
      type: 'installation.uninstalled',
    });
    expect(readChange({ key: null, value })).toEqual({
      shop: SHOP,
      type: 'installation.uninstalled',
    });
  });

  it('drops the shop named by the key even when the value does not decode', () => {
    expect(readChange({ key: Buffer.from(SHOP), value: Buffer.from('{"type":"x"}') })).toEqual({
      shop: SHOP,
      type: null,
    });
    expect(readChange({ key: null, value: Buffer.from(`{"shopDomain":"${SHOP}"}`) })).toBeNull();
    expect(readChange({ key: null, value: Buffer.from('not json') })).toBeNull();
  });
});
