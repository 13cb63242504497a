import { createHmac } from 'node:crypto';
import { startAdminSim, uniqueShop, type AdminSim, type Json } from './support/admin-sim';

const CLIENT_ID = 'shopwire-dev-client';
const SECRET = 'shopwire-dev-client-secret-0123456789abcdef';
const CALLBACK = 'http://127.0.0.1:9/auth/callback';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
const OFFLINE = 'urn:shopify:params:oauth:token-type:offline-access-token';

describe('install flows (OAuth endpoints over HTTP)', () => {
  let sim: AdminSim;
  beforeAll(async () => {
    sim = await startAdminSim();
  });
  afterAll(() => sim.close());

  const authorize = (shop: string, params: Record<string, string>) =>
    fetch(`${sim.base}/shops/${shop}/admin/oauth/authorize?${new URLSearchParams(params)}`, {
      redirect: 'manual',
    });

  const token = async (shop: string, body: Record<string, unknown>, form = false) => {
    const response = await fetch(`${sim.base}/shops/${shop}/admin/oauth/access_token`, {
      method: 'POST',
      headers: {
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      },
      body: form
        ? new URLSearchParams(body as Record<string, string>).toString()
        : JSON.stringify(body),
    });
    return {
      status: response.status,
      json: (await response.json()) as Json,
      headers: response.headers,
    };
  };

  const codeFor = async (shop: string) => {
    const response = await authorize(shop, {
      client_id: CLIENT_ID,
      scope: 'read_orders,write_products',
      redirect_uri: CALLBACK,
      state: 'nonce-1',
    });
    return new URL(response.headers.get('location')!).searchParams.get('code')!;
  };

  const shopQuery = (shop: string, accessToken: string) =>
    sim.graphql(shop, '{ shop { name } }', undefined, { token: accessToken });

  it('authorize redirects with code, hmac, host, shop, state and timestamp, signed with the secret', async () => {
    const shop = uniqueShop('oauth');
    const response = await authorize(shop, {
      client_id: CLIENT_ID,
      scope: 'read_orders',
      redirect_uri: `${CALLBACK}?keep=1`,
      state: 'nonce-1',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({ shop, state: 'nonce-1', keep: '1' });
    expect(Buffer.from(params.host!, 'base64').toString()).toBe(`${shop}/admin`);
    expect(Math.abs(Number(params.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const { hmac, ...rest } = params;
    const message = Object.keys(rest)
      .sort()
      .map((key) => `${key}=${rest[key]}`)
      .join('&');
    expect(hmac).toBe(createHmac('sha256', SECRET).update(message).digest('hex'));
  });

  it.each([
    ['no client_id', { redirect_uri: CALLBACK }],
    ['an unknown client_id', { client_id: 'nobody', redirect_uri: CALLBACK }],
    ['no redirect_uri', { client_id: CLIENT_ID }],
    ['a redirect_uri that is not a URL', { client_id: CLIENT_ID, redirect_uri: 'javascript:x' }],
  ])('authorize answers %s with a 400 page', async (_name, params) => {
    const response = await authorize(uniqueShop('oauth'), params);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/Oauth error/);
  });

  it('authorize on a non-myshopify domain is 404', async () => {
    expect(
      (await authorize('evil.com', { client_id: CLIENT_ID, redirect_uri: CALLBACK })).status,
    ).toBe(404);
  });

  it('exchanges a code once (JSON and form bodies) for a token the Admin API takes', async () => {
    const shop = uniqueShop('oauth');
    const issued = await token(shop, {
      client_id: CLIENT_ID,
      client_secret: SECRET,
      code: await codeFor(shop),
    });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    expect(issued.json).toEqual({
      access_token: expect.stringMatching(/^shpua_/),
      scope: 'read_orders,write_products',
    });
    expect((await shopQuery(shop, issued.json.access_token)).status).toBe(200);
    // The shop is now strict: an arbitrary token is refused.
    expect((await shopQuery(shop, 'shpat_made_up')).status).toBe(401);

    const code = await codeFor(shop);
    const form = await token(
      shop,
      { client_id: CLIENT_ID, client_secret: SECRET, code, expiring: '1' },
      true,
    );
    expect(form.status).toBe(200);
    expect(form.json).toMatchObject({
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^shprt_/),
      refresh_token_expires_in: 7_776_000,
    });
    const reused = await token(shop, { client_id: CLIENT_ID, client_secret: SECRET, code });
    expect(reused).toMatchObject({
      status: 400,
      json: { error: 'invalid_request', error_description: expect.stringMatching(/code/) },
    });
  });

  it('answers a wrong secret, a missing client, a missing code and an unknown grant Shopify’s way', async () => {
    const shop = uniqueShop('oauth');
    const code = await codeFor(shop);
    expect(
      await token(shop, { client_id: CLIENT_ID, client_secret: 'wrong-secret', code }),
    ).toMatchObject({
      status: 401,
      json: { error: 'invalid_client', error_description: expect.any(String) },
    });
    expect((await token(shop, { client_secret: SECRET, code })).json.error).toBe('invalid_request');
    expect((await token(shop, { client_id: CLIENT_ID, client_secret: SECRET })).json.error).toBe(
      'invalid_request',
    );
    expect(
      await token(shop, { client_id: CLIENT_ID, client_secret: SECRET, grant_type: 'password' }),
    ).toMatchObject({
      status: 400,
      json: { error: 'unsupported_grant_type' },
    });
    // A code of another shop is not this shop's.
    expect(
      (await token(uniqueShop('oauth'), { client_id: CLIENT_ID, client_secret: SECRET, code })).json
        .error,
    ).toBe('invalid_request');
  });

  it('token exchange verifies the session token: signature, audience, expiry, shop', async () => {
    const shop = uniqueShop('oauth');
    const mint = async (body: Record<string, unknown>) =>
      (await sim.control('POST', '/sim/oauth/session-token', { shop, ...body })).json
        .token as string;
    const exchange = (subject: string, extra: Record<string, unknown> = {}, onShop = shop) =>
      token(onShop, {
        client_id: CLIENT_ID,
        client_secret: SECRET,
        grant_type: EXCHANGE,
        subject_token: subject,
        subject_token_type: ID_TOKEN,
        requested_token_type: OFFLINE,
        expiring: 1,
        ...extra,
      });

    const good = await mint({});
    const ok = await exchange(good);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      access_token: expect.any(String),
      expires_in: 3600,
      refresh_token: expect.any(String),
    });
    expect((await shopQuery(shop, ok.json.access_token)).status).toBe(200);

    expect(
      (
        await sim.control('POST', '/sim/apps', {
          clientId: 'other-app',
          clientSecret: 'other-app-secret',
        })
      ).status,
    ).toBe(201);
    const refusals = [
      await exchange(`${good.slice(0, -3)}abc`),
      await exchange(await mint({ clientId: 'other-app' })),
      await exchange(await mint({ ttlSeconds: -60 })),
      await exchange(good, {}, uniqueShop('oauth')),
    ];
    for (const refusal of refusals)
      expect(refusal).toMatchObject({ status: 400, json: { error: 'invalid_subject_token' } });
    expect((await exchange(good, { subject_token_type: 'jwt' })).json.error).toBe(
      'invalid_request',
    );
    expect((await exchange(good, { requested_token_type: 'online' })).json.error).toBe(
      'invalid_request',
    );
    expect((await exchange('')).json.error).toBe('invalid_request');
  });

  it('client credentials: a 24 h token and no refresh token', async () => {
    const shop = uniqueShop('oauth');
    const issued = await token(shop, {
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'client_credentials',
    });
    expect(issued.status).toBe(200);
    expect(issued.json).toEqual({
      access_token: expect.any(String),
      scope: expect.stringContaining('read_orders'),
      expires_in: 86_399,
    });
  });

  it('expiring tokens: shortened lifetimes, 401 after expiry, refresh rotation and reuse detection', async () => {
    const shop = uniqueShop('oauth');
    const settings = await sim.control('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 1 });
    expect(settings).toMatchObject({ status: 200, json: { accessTokenTtlSeconds: 1 } });
    try {
      const first = await token(shop, {
        client_id: CLIENT_ID,
        client_secret: SECRET,
        code: await codeFor(shop),
        expiring: 1,
      });
      expect(first.json.expires_in).toBe(1);
      expect((await shopQuery(shop, first.json.access_token)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const expired = await shopQuery(shop, first.json.access_token);
      expect(expired.status).toBe(401);
      expect(expired.json.errors).toMatch(/Invalid API key or access token/);

      const refresh = (refreshToken: string) =>
        token(shop, {
          client_id: CLIENT_ID,
          client_secret: SECRET,
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
        });
      const second = await refresh(first.json.refresh_token);
      expect(second.status).toBe(200);
      expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
      expect((await shopQuery(shop, second.json.access_token)).status).toBe(200);
      // The response was lost: the previous refresh token still works until the new one is used.
      const recovered = await refresh(first.json.refresh_token);
      expect(recovered.status).toBe(200);
      expect((await refresh(recovered.json.refresh_token)).status).toBe(200);
      expect(await refresh(first.json.refresh_token)).toMatchObject({
        status: 400,
        json: { error: 'invalid_grant' },
      });
      expect((await refresh('shprt_unknown')).json.error).toBe('invalid_grant');
      expect(
        (
          await token(shop, {
            client_id: CLIENT_ID,
            client_secret: SECRET,
            grant_type: 'refresh_token',
          })
        ).json.error,
      ).toBe('invalid_request');

      const stats = await sim.control('GET', '/sim/oauth/stats');
      expect(stats.json.reusedRefreshTokens).toBeGreaterThanOrEqual(1);
      expect(stats.json.previousRefreshTokenUsed).toBeGreaterThanOrEqual(1);
      expect(stats.json.grants.refresh_token).toBeGreaterThanOrEqual(3);
      expect(stats.json.unauthorized).toBeGreaterThanOrEqual(1);
    } finally {
      await sim.control('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 3600 });
    }
  });

  it('a legacy token makes the shop strict; shops without issued tokens take any token', async () => {
    const shop = uniqueShop('oauth');
    expect((await shopQuery(shop, 'shpat_anything')).status).toBe(200);
    const legacy = await sim.control('POST', `/sim/shops/${shop}/legacy-token`);
    expect(legacy.json.accessToken).toMatch(/^shpat_/);
    expect((await shopQuery(shop, legacy.json.accessToken)).status).toBe(200);
    expect((await shopQuery(shop, 'shpat_anything')).status).toBe(401);
  });

  it('control endpoints need the bearer token and validate their bodies', async () => {
    expect((await fetch(`${sim.base}/sim/oauth/stats`)).status).toBe(401);
    expect(
      (await sim.control('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 0 })).status,
    ).toBe(400);
    expect(
      (await sim.control('POST', '/sim/oauth/session-token', { shop: 'evil.com' })).status,
    ).toBe(400);
    expect(
      (
        await sim.control('POST', '/sim/oauth/session-token', {
          shop: uniqueShop('x'),
          clientId: 'nobody',
        })
      ).status,
    ).toBe(400);
    expect((await sim.control('POST', '/sim/apps', { clientId: 'x' })).status).toBe(400);
    const apps = await sim.control('GET', '/sim/apps');
    expect(JSON.stringify(apps.json)).not.toContain(SECRET);
  });
});
