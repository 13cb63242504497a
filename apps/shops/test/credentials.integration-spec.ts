import { decodeShopInstallationChanged, DomainTopic } from '@shopwire/contracts';
import { startSimulatorProcess, uniqueShop, type SimulatorProcess } from '@shopwire/testing';
import { request } from 'undici';
import { ReauthRequiredError, TokenUnavailableError } from '../src/credentials/credentials.errors';
import { rotateTokenKeys } from '../src/credentials/key-rotation';
import { TokenVaultError, tokenSha256 } from '../src/credentials/token-vault';
import {
  authorizeAtSim,
  capturingLogger,
  coreDatabase,
  lossyProxy,
  newKey,
  startCore,
  testConfig,
  type Core,
} from './core-harness';

/**
 * The credentials core against real Postgres, Redis and the simulator's token endpoint: grants
 * stored sealed, refresh with rotation (also racing, also with a lost answer), invalid_grant,
 * client credentials fetched again, key rotation, and no token in any log line.
 */
describe('credentials (Postgres, Redis, simulator)', () => {
  let sim: SimulatorProcess;
  let databaseUrl: string;
  const cores: Core[] = [];
  const logs = capturingLogger();
  const seenTokens = new Set<string>();
  const k1 = newKey();
  const k2 = newKey();

  beforeAll(async () => {
    [sim, databaseUrl] = await Promise.all([startSimulatorProcess(), coreDatabase('credentials')]);
  });

  afterAll(async () => {
    await Promise.all(cores.map((core) => core.close()));
    await sim?.stop();
  });

  async function core(env: Record<string, string> = {}): Promise<Core> {
    const started = await startCore(
      testConfig({
        DATABASE_URL: databaseUrl,
        SHOPS_TOKEN_KEYS: `k1:${k1}`,
        SHOPIFY_SHOP_URL: `${sim.baseUrl}/shops/{shop}`,
        SHOPS_REFRESH_AHEAD_SECONDS: '300',
        ...env,
      }),
      logs.logger,
    );
    cores.push(started);
    return started;
  }

  async function install(c: Core, shop: string): Promise<void> {
    const code = await authorizeAtSim(sim.baseUrl, shop, 'read_orders,write_products');
    const grant = await c.endpoint.authorizationCode(shop, code);
    remember(grant.accessToken, grant.refreshToken);
    await c.installations.recordGrant(shop, 'authorization_code', grant);
  }

  function remember(...tokens: Array<string | null>): void {
    for (const token of tokens) if (token) seenTokens.add(token);
  }

  async function simStats(): Promise<{
    refreshes: number;
    reusedRefreshTokens: number;
    previousRefreshTokenUsed: number;
    grants: Record<string, number>;
  }> {
    return (await sim.call<never>('GET', '/sim/oauth/stats')).json;
  }

  async function adminCall(shop: string, token: string): Promise<number> {
    const response = await request(`${sim.baseUrl}/shops/${shop}/admin/api/2026-01/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
      body: JSON.stringify({ query: '{ shop { name } }' }),
    });
    await response.body.dump();
    return response.statusCode;
  }

  it('stores a grant sealed and hands the token out; the event carries no token', async () => {
    const c = await core();
    const shop = uniqueShop();
    await install(c, shop);
    const token = await c.installations.accessToken(shop);
    remember(token.accessToken);
    expect(token).toMatchObject({ version: 1, scopes: ['read_orders', 'write_products'] });
    expect(token.expiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await adminCall(shop, token.accessToken)).toBe(200);

    const [row] = await c.dataSource.query(
      `SELECT key_id, access_token, refresh_token, access_token_sha256 FROM shops.credentials WHERE shop = $1`,
      [shop],
    );
    expect(row.key_id).toBe('k1');
    expect((row.access_token as Buffer).includes(Buffer.from(token.accessToken))).toBe(false);
    expect(row.refresh_token).not.toBeNull();
    expect(row.access_token_sha256).toBe(tokenSha256(token.accessToken));

    const events: Array<{ topic: string; key: string; value: Buffer }> = await c.dataSource.query(
      `SELECT topic, key, value FROM shops.outbox WHERE key = $1 ORDER BY id`,
      [shop],
    );
    expect(events).toHaveLength(1);
    expect(events[0].topic).toBe(DomainTopic.ShopInstallationChanged);
    // Read with the contracts' decoder, as the sync service and token caches read it.
    const event = decodeShopInstallationChanged(events[0].value);
    expect(event.ok && event.value).toMatchObject({
      type: 'installation.installed',
      aggregateId: shop,
      aggregateVersion: '0000000001:0000000001',
      data: { status: 'installed', grantType: 'authorization_code', generation: 1 },
    });
    expect(events[0].value.toString()).not.toContain(token.accessToken);
    expect(await c.uninstalled.has(shop)).toBe(false);
  });

  it('refreshes a due token once, and the rejected-token path only while it is still stored', async () => {
    await sim.call('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 4 });
    try {
      const c = await core();
      const shop = uniqueShop();
      await install(c, shop);
      const first = await c.installations.accessToken(shop);
      const before = await simStats();
      await new Promise((r) => setTimeout(r, 2200)); // past half the lifetime: due
      const second = await c.installations.accessToken(shop);
      remember(second.accessToken);
      expect(second.version).toBe(2);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(await adminCall(shop, second.accessToken)).toBe(200);
      // A caller still holding the old token reports it: nothing to do, the current one comes back.
      const again = await c.installations.refreshRejected(shop, tokenSha256(first.accessToken));
      expect(again.version).toBe(2);
      const after = await simStats();
      expect(after.refreshes - before.refreshes).toBe(1);
      expect(after.reusedRefreshTokens).toBe(0);
    } finally {
      await sim.call('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 3600 });
    }
  });

  it('lets exactly one of several racing refreshers refresh; the others read its result', async () => {
    const racers = await Promise.all([core(), core(), core(), core()]);
    const shop = uniqueShop();
    await install(racers[0], shop);
    const current = await racers[0].installations.accessToken(shop);
    const before = await simStats();
    const answers = await Promise.all(
      racers.flatMap((r) => [
        r.installations.refreshRejected(shop, tokenSha256(current.accessToken)),
        r.installations.refreshRejected(shop, tokenSha256(current.accessToken)),
      ]),
    );
    const after = await simStats();
    expect(after.refreshes - before.refreshes).toBe(1);
    expect(after.reusedRefreshTokens).toBe(0);
    expect(new Set(answers.map((a) => a.version))).toEqual(new Set([2]));
    expect(new Set(answers.map((a) => a.accessToken)).size).toBe(1);
    remember(answers[0].accessToken);
    expect(await adminCall(shop, answers[0].accessToken)).toBe(200);
  });

  it('recovers a lost refresh answer with the stored (previous) refresh token', async () => {
    const proxy = await lossyProxy(sim.baseUrl);
    try {
      const c = await core({
        SHOPIFY_SHOP_URL: `${proxy.url}/shops/{shop}`,
        SHOPS_TOKEN_ENDPOINT_TIMEOUT_MS: '700',
      });
      const shop = uniqueShop();
      await install(c, shop);
      const current = await c.installations.accessToken(shop);
      const before = await simStats();
      proxy.dropResponses = 1;
      // The simulator rotates, the answer never comes: nothing is stored.
      await expect(
        c.installations.refreshRejected(shop, tokenSha256(current.accessToken)),
      ).rejects.toBeInstanceOf(TokenUnavailableError);
      expect((await c.repository.findCredential(shop))!.version).toBe(1);
      expect((await c.repository.findInstallation(shop))!.lastRefreshError).toBe('timeout');
      // Again, with the same stored refresh token: still valid, its lost replacement never used.
      const recovered = await c.installations.refreshRejected(
        shop,
        tokenSha256(current.accessToken),
      );
      remember(recovered.accessToken);
      expect(recovered.version).toBe(2);
      expect(await adminCall(shop, recovered.accessToken)).toBe(200);
      // And the chain goes on from the recovered refresh token.
      const next = await c.installations.refreshRejected(shop, tokenSha256(recovered.accessToken));
      remember(next.accessToken);
      expect(next.version).toBe(3);
      const after = await simStats();
      expect(after.refreshes - before.refreshes).toBe(3);
      expect(after.previousRefreshTokenUsed - before.previousRefreshTokenUsed).toBe(1);
      expect(after.reusedRefreshTokens).toBe(0);
      expect((await c.repository.findInstallation(shop))!.lastRefreshError).toBeNull();
    } finally {
      await proxy.close();
    }
  });

  it('marks a shop whose refresh token Shopify refuses as reauth_required, counted and announced', async () => {
    const c = await core();
    const shop = uniqueShop();
    await install(c, shop);
    const current = await c.installations.accessToken(shop);
    // The merchant uninstalls; our app/uninstalled has not arrived yet.
    await sim.call('POST', `/sim/shops/${shop}/uninstall`, { url: 'http://127.0.0.1:9/none' });
    await expect(
      c.installations.refreshRejected(shop, tokenSha256(current.accessToken)),
    ).rejects.toBeInstanceOf(ReauthRequiredError);
    await expect(c.installations.accessToken(shop)).rejects.toBeInstanceOf(ReauthRequiredError);
    expect(await c.metrics.reauthRequired.get()).toMatchObject({
      values: expect.arrayContaining([
        { value: 1, labels: { grant_type: 'authorization_code' } },
        { value: 0, labels: { grant_type: 'token_exchange' } },
      ]),
    });
    const installation = await c.repository.findInstallation(shop);
    expect(installation).toMatchObject({
      status: 'reauth_required',
      lastRefreshError: 'invalid_grant',
    });
    const [last] = await c.dataSource.query(
      `SELECT value FROM shops.outbox WHERE key = $1 ORDER BY id DESC LIMIT 1`,
      [shop],
    );
    const reauth = decodeShopInstallationChanged(last.value as Buffer);
    expect(reauth.ok && reauth.value).toMatchObject({
      type: 'installation.reauth_required',
      data: { status: 'reauth_required' },
    });
    // A new install starts over.
    await install(c, shop);
    expect((await c.installations.accessToken(shop)).accessToken).toBeTruthy();
  });

  it('asks the client credentials grant again before such a token expires', async () => {
    await sim.call('POST', '/sim/oauth/settings', { clientCredentialsTtlSeconds: 4 });
    try {
      const c = await core();
      const shop = uniqueShop();
      const grant = await c.endpoint.clientCredentials(shop);
      remember(grant.accessToken);
      expect(grant.refreshToken).toBeNull();
      await c.installations.recordGrant(shop, 'client_credentials', grant);
      const before = await simStats();
      await new Promise((r) => setTimeout(r, 2200));
      const token = await c.installations.accessToken(shop);
      remember(token.accessToken);
      expect(token.version).toBe(2);
      expect(token.accessToken).not.toBe(grant.accessToken);
      const after = await simStats();
      expect(after.grants.client_credentials - before.grants.client_credentials).toBe(1);
      expect(after.refreshes).toBe(before.refreshes);
    } finally {
      await sim.call('POST', '/sim/oauth/settings', { clientCredentialsTtlSeconds: 86399 });
    }
  });

  it('rotates keys: re-seals every row, then the old key can go; tampering is refused', async () => {
    const old = await core();
    const shops = [uniqueShop(), uniqueShop(), uniqueShop()];
    for (const shop of shops) await install(old, shop);
    const tokens = await Promise.all(shops.map((s) => old.installations.accessToken(s)));

    const rotating = await core({ SHOPS_TOKEN_KEYS: `k2:${k2},k1:${k1}` });
    const progress: number[] = [];
    const result = await rotateTokenKeys(rotating.dataSource, rotating.repository, rotating.vault, {
      batchSize: 2,
      onProgress: (p) => progress.push(p.rotated),
    });
    expect(result.failed).toBe(0);
    expect(result.rotated).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(result.byKey)).toEqual(['k2']);

    const onlyNew = await core({ SHOPS_TOKEN_KEYS: `k2:${k2}` });
    for (const [i, shop] of shops.entries()) {
      const token = await onlyNew.installations.accessToken(shop);
      expect(token.accessToken).toBe(tokens[i].accessToken);
      expect(token.version).toBe(tokens[i].version);
    }

    // One flipped byte, and one row's ciphertext moved to another shop: neither opens.
    await onlyNew.dataSource.query(
      `UPDATE shops.credentials SET access_token = overlay(access_token placing
         decode(lpad(to_hex(get_byte(access_token, 20) # 1), 2, '0'), 'hex') from 21 for 1)
       WHERE shop = $1`,
      [shops[0]],
    );
    await expect(onlyNew.installations.accessToken(shops[0])).rejects.toBeInstanceOf(
      TokenVaultError,
    );
    await onlyNew.dataSource.query(
      `UPDATE shops.credentials SET access_token = (SELECT access_token FROM shops.credentials WHERE shop = $2)
       WHERE shop = $1`,
      [shops[1], shops[2]],
    );
    await expect(onlyNew.installations.accessToken(shops[1])).rejects.toThrow(
      /does not authenticate/,
    );
    await expect(onlyNew.installations.accessToken(shops[2])).resolves.toBeTruthy();
  });

  it('wrote no token into any log line', async () => {
    // The refresh tokens never leave the service: read them back through the vault.
    const c = cores[0];
    const rows: Array<{ shop: string; key_id: string; refresh_token: Buffer | null }> =
      await c.dataSource.query(
        `SELECT shop, key_id, refresh_token FROM shops.credentials WHERE key_id = 'k1' AND refresh_token IS NOT NULL`,
      );
    for (const row of rows) {
      remember(
        c.vault.open(row.shop, 'refresh_token', { keyId: row.key_id, value: row.refresh_token! }),
      );
    }
    const text = logs.lines();
    expect(text).toContain('token refreshed');
    expect(seenTokens.size).toBeGreaterThan(10);
    for (const token of seenTokens) expect(text).not.toContain(token);
    for (const key of [k1, k2]) expect(text).not.toContain(key);
  });
});
