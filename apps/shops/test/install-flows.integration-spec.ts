import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import { SignJWT } from 'jose';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { request } from 'undici';
import {
  Browser,
  callJson,
  metricValue,
  startShopsProcess,
  type Answer,
  type ShopsProcess,
} from './install-harness';

// The install flows driven as a merchant's browser and an embedded app's back end would, against
// the real simulator process (Shopify's side: consent, token endpoint, Admin API) and the real
// shops service process (Postgres, its own database). Every refused request must store nothing.

const CLIENT_ID = 'shopwire-install-it';
const CLIENT_SECRET = 'install-it-client-secret-0123456789abcdef';
const STATE_COOKIE = 'shopwire_install_state';

let sim: SimulatorProcess;
let shops: ShopsProcess;

const uniqueShop = () => `inst-${randomUUID().slice(0, 8)}.myshopify.com`;

beforeAll(async () => {
  sim = await startSimulatorProcess({
    SIM_APP_CLIENT_ID: CLIENT_ID,
    SIM_APP_CLIENT_SECRET: CLIENT_SECRET,
  });
  shops = await startShopsProcess({
    SHOPIFY_API_KEY: CLIENT_ID,
    SHOPIFY_API_SECRET: CLIENT_SECRET,
    SHOPIFY_SCOPES: 'read_orders,read_products',
    SHOPIFY_SHOP_URL: `${sim.baseUrl}/shops/{shop}`,
  });
}, 120_000);

afterAll(async () => {
  await shops?.stop();
  await sim?.stop();
});

/** Rows and the stored token's version for one shop: what "nothing stored" is measured on. */
async function stored(
  shop: string,
): Promise<{ installations: number; credentials: number; version: number | null }> {
  const installations = await shops.db.query(`SELECT 1 FROM shops.installations WHERE shop = $1`, [
    shop,
  ]);
  const credentials = await shops.db.query<{ version: number }>(
    `SELECT version FROM shops.credentials WHERE shop = $1`,
    [shop],
  );
  return {
    installations: installations.rowCount ?? 0,
    credentials: credentials.rowCount ?? 0,
    version: credentials.rows[0]?.version ?? null,
  };
}

const NOTHING = { installations: 0, credentials: 0, version: null };

async function refusedCount(reason: string): Promise<number> {
  const page = await request(`${shops.baseUrl}/metrics`);
  return metricValue(
    await page.body.text(),
    `shopwire_shops_install_refused_total{reason="${reason}",service="shops"}`,
  );
}

/** Up to the moment Shopify redirects the browser back: the callback URL, not yet followed. */
async function approve(browser: Browser, shop: string): Promise<string> {
  const installUrl = `${shops.baseUrl}/auth/install?shop=${shop}`;
  const authorize = Browser.location(await browser.get(installUrl), installUrl);
  expect(authorize.startsWith(`${sim.baseUrl}/shops/${shop}/admin/oauth/authorize?`)).toBe(true);
  return Browser.location(await browser.get(authorize), authorize);
}

/** The callback URL with some parameters changed and signed again with the app's secret. */
function resigned(callbackUrl: string, changes: Record<string, string | null>): string {
  const url = new URL(callbackUrl);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  url.searchParams.delete('hmac');
  const message = [...url.searchParams]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  url.searchParams.set('hmac', createHmac('sha256', CLIENT_SECRET).update(message).digest('hex'));
  return url.toString();
}

function expectRefusal(answer: Answer, status: number, reason: string): void {
  expect({ status: answer.status, error: answer.json().error }).toEqual({ status, error: reason });
  expect(typeof answer.json().message).toBe('string');
}

async function internalToken(shop: string): Promise<string> {
  const answer = await callJson('GET', `${shops.baseUrl}/internal/shops/${shop}/access-token`);
  expect(answer.status).toBe(200);
  return answer.json<{ accessToken: string }>().accessToken;
}

/** One Admin API call with the token, as any service would make it. */
async function adminStatus(shop: string, token: string): Promise<number> {
  const response = await request(`${sim.baseUrl}/shops/${shop}/admin/api/2026-01/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
    body: JSON.stringify({ query: '{ shop { name } }' }),
  });
  await response.body.dump();
  return response.statusCode;
}

describe('authorization code grant, as a browser', () => {
  it('installs the shop: redirect with a state cookie, callback verified, token stored sealed', async () => {
    const shop = uniqueShop();
    const browser = new Browser();
    const installUrl = `${shops.baseUrl}/auth/install?shop=${shop}`;
    const started = await browser.get(installUrl);
    expect(started.status).toBe(302);
    const authorize = new URL(Browser.location(started, installUrl));
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      client_id: CLIENT_ID,
      scope: 'read_orders,read_products',
      redirect_uri: `${shops.baseUrl}/auth/callback`,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
    });
    const setCookie = String(started.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\/auth/);
    expect(browser.cookies(shops.baseUrl).has(STATE_COOKIE)).toBe(true);

    const callbackUrl = Browser.location(
      await browser.get(authorize.toString()),
      authorize.toString(),
    );
    expect(new URL(callbackUrl).searchParams.get('state')).toBe(
      authorize.searchParams.get('state'),
    );
    const done = await browser.get(callbackUrl);
    expect(done.status).toBe(200);
    expect(done.json()).toEqual({
      shop,
      grantType: 'authorization_code',
      scopes: ['read_orders', 'read_products'],
      expiresAt: expect.any(String),
    });
    // The nonce is spent: the cookie is gone from the browser.
    expect(browser.cookies(shops.baseUrl).has(STATE_COOKIE)).toBe(false);

    const row = await shops.db.query<{
      status: string;
      grant_type: string;
      scopes: string;
      access_token: Buffer;
      access_token_sha256: string;
      refresh_token: Buffer | null;
      access_token_expires_at: Date | null;
    }>(
      `SELECT i.status, i.grant_type, i.scopes, c.access_token, c.access_token_sha256,
              c.refresh_token, c.access_token_expires_at
         FROM shops.installations i JOIN shops.credentials c USING (shop) WHERE shop = $1`,
      [shop],
    );
    expect(row.rows).toHaveLength(1);
    const installed = row.rows[0];
    expect(installed).toMatchObject({
      status: 'installed',
      grant_type: 'authorization_code',
      scopes: 'read_orders,read_products',
    });
    // Expiring offline token by default: an expiry and a refresh token.
    expect(installed.access_token_expires_at).not.toBeNull();
    expect(installed.refresh_token).not.toBeNull();

    const token = await internalToken(shop);
    expect(installed.access_token_sha256).toBe(createHash('sha256').update(token).digest('hex'));
    expect(installed.access_token.includes(Buffer.from(token))).toBe(false);
    expect(done.text).not.toContain(token);
    expect(await adminStatus(shop, token)).toBe(200);
    expect(shops.logs()).not.toContain(token);
  });

  it('answers a browser with a small HTML page naming the shop', async () => {
    const shop = uniqueShop();
    const browser = new Browser();
    const callbackUrl = await approve(browser, shop);
    const done = await browser.get(callbackUrl, { accept: 'text/html' });
    expect(done.status).toBe(200);
    expect(done.headers['content-type']).toMatch(/text\/html/);
    expect(done.text).toContain(shop);
  });

  it('refuses a callback whose hmac was tampered with, stores nothing', async () => {
    const shop = uniqueShop();
    const browser = new Browser();
    const url = new URL(await approve(browser, shop));
    const hmac = url.searchParams.get('hmac')!;
    url.searchParams.set('hmac', `${hmac[0] === 'a' ? 'b' : 'a'}${hmac.slice(1)}`);
    const before = await refusedCount('bad_hmac');
    expectRefusal(await browser.get(url.toString()), 403, 'bad_hmac');
    expect(await refusedCount('bad_hmac')).toBe(before + 1);
    expect(await stored(shop)).toEqual(NOTHING);
  });

  it('refuses a callback with a parameter changed under the signature (code, shop)', async () => {
    const shop = uniqueShop();
    const other = uniqueShop();
    const browser = new Browser();
    const callbackUrl = await approve(browser, shop);
    for (const [name, value] of [
      ['code', 'f'.repeat(32)],
      ['shop', other],
    ]) {
      const url = new URL(callbackUrl);
      url.searchParams.set(name, value);
      expectRefusal(await new Browser().get(url.toString()), 403, 'bad_hmac');
    }
    expect(await stored(shop)).toEqual(NOTHING);
    expect(await stored(other)).toEqual(NOTHING);
  });

  it('refuses a callback without the state cookie (another browser)', async () => {
    const shop = uniqueShop();
    const callbackUrl = await approve(new Browser(), shop);
    expectRefusal(await new Browser().get(callbackUrl), 403, 'missing_state');
    expect(await stored(shop)).toEqual(NOTHING);
  });

  it("refuses a callback carrying another browser's state cookie", async () => {
    const shop = uniqueShop();
    const victim = new Browser();
    const attacker = new Browser();
    const callbackUrl = await approve(victim, shop);
    await approve(attacker, shop);
    // The victim's callback, but with the attacker's cookie (and vice versa): neither matches.
    const mixed = new Browser();
    mixed.setCookie(
      shops.baseUrl,
      STATE_COOKIE,
      attacker.cookies(shops.baseUrl).get(STATE_COOKIE)!,
      '/auth',
    );
    expectRefusal(await mixed.get(callbackUrl), 403, 'state_mismatch');
    expect(await stored(shop)).toEqual(NOTHING);
  });

  it('refuses a callback whose state was replaced (signed again), and a forged cookie', async () => {
    const shop = uniqueShop();
    const browser = new Browser();
    const callbackUrl = await approve(browser, shop);
    expectRefusal(
      await browser.get(resigned(callbackUrl, { state: 'guessed' })),
      403,
      'state_mismatch',
    );
    // The cookie was spent by that attempt; a hand-made, unsigned one does not verify either.
    const state = new URL(callbackUrl).searchParams.get('state')!;
    browser.setCookie(shops.baseUrl, STATE_COOKIE, `${state}.${shop}`, '/auth');
    expectRefusal(await browser.get(callbackUrl), 403, 'state_mismatch');
    expect(await stored(shop)).toEqual(NOTHING);
  });

  it('refuses a shop that is not a myshopify.com domain, at install and at the callback', async () => {
    for (const bad of ['evil.example.com', 'https://x.myshopify.com', 'x.myshopify.com.evil.com']) {
      const answer = await new Browser().get(
        `${shops.baseUrl}/auth/install?shop=${encodeURIComponent(bad)}`,
      );
      expectRefusal(answer, 400, 'bad_shop');
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    const shop = uniqueShop();
    const browser = new Browser();
    const callbackUrl = await approve(browser, shop);
    expectRefusal(
      await browser.get(resigned(callbackUrl, { shop: 'evil.example.com' })),
      400,
      'bad_shop',
    );
    expect(await stored(shop)).toEqual(NOTHING);
  });

  it('refuses an old or future timestamp', async () => {
    const shop = uniqueShop();
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 3600, now + 3600]) {
      const browser = new Browser();
      const callbackUrl = await approve(browser, shop);
      expectRefusal(
        await browser.get(resigned(callbackUrl, { timestamp: String(timestamp) })),
        403,
        'stale_timestamp',
      );
    }
    expect(await stored(shop)).toEqual(NOTHING);
  });

  it('refuses a code Shopify does not know, and a code used already', async () => {
    const shop = uniqueShop();
    const browser = new Browser();
    const wrong = await approve(browser, shop);
    expectRefusal(
      await browser.get(resigned(wrong, { code: 'f'.repeat(32) })),
      403,
      'code_rejected',
    );
    expect(await stored(shop)).toEqual(NOTHING);

    const first = await approve(browser, shop);
    expect((await browser.get(first)).status).toBe(200);
    const afterInstall = await stored(shop);
    expect(afterInstall).toMatchObject({ installations: 1, credentials: 1 });
    // The same code again, from a fresh install in the same browser (new state), signed anew.
    const second = await approve(browser, shop);
    const replay = resigned(second, { code: new URL(first).searchParams.get('code') });
    expectRefusal(await browser.get(replay), 403, 'code_rejected');
    expect(await stored(shop)).toEqual(afterInstall);
  });

  it("accepts Shopify's signed install request and refuses a forged one", async () => {
    const shop = uniqueShop();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signed = resigned(
      `${shops.baseUrl}/auth/install?shop=${shop}&timestamp=${timestamp}&host=eA`,
      {},
    );
    const answer = await new Browser().get(signed);
    expect(answer.status).toBe(302);
    const forged = new URL(signed);
    forged.searchParams.set('hmac', '0'.repeat(64));
    expectRefusal(await new Browser().get(forged.toString()), 403, 'bad_hmac');
  });
});

describe('token exchange (embedded app)', () => {
  const secret = new TextEncoder().encode(CLIENT_SECRET);

  async function sessionToken(shop: string, ttlSeconds = 60): Promise<string> {
    const answer = await sim.call<{ token: string }>('POST', '/sim/oauth/session-token', {
      shop,
      ttlSeconds,
    });
    expect(answer.status).toBe(201);
    return answer.json.token;
  }

  /** A session token made here (with the client secret Shopify would use) to tamper with. */
  function craft(
    shop: string,
    claims: Record<string, unknown> = {},
    key = secret,
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: CLIENT_ID,
      sub: '42',
      exp: now + 60,
      nbf: now - 1,
      iat: now - 1,
      jti: randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(key);
  }

  const exchange = (token: string | null) =>
    callJson('POST', `${shops.baseUrl}/auth/token-exchange`, { bearer: token });

  it("exchanges the shop's session token for an offline token and stores it", async () => {
    const shop = uniqueShop();
    const answer = await exchange(await sessionToken(shop));
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.json()).toMatchObject({
      shop,
      grantType: 'token_exchange',
      expiresAt: expect.any(String),
    });
    const row = await shops.db.query<{ grant_type: string }>(
      `SELECT grant_type FROM shops.installations WHERE shop = $1`,
      [shop],
    );
    expect(row.rows[0].grant_type).toBe('token_exchange');
    expect(await adminStatus(shop, await internalToken(shop))).toBe(200);
  });

  it.each([
    [
      'a bad signature',
      (shop: string) =>
        craft(shop, {}, new TextEncoder().encode('another-secret-0123456789abcdef')),
    ],
    ['another audience', (shop: string) => craft(shop, { aud: 'another-app' })],
    [
      'an expired token',
      (shop: string) =>
        craft(shop, {
          exp: Math.floor(Date.now() / 1000) - 120,
          nbf: Math.floor(Date.now() / 1000) - 180,
        }),
    ],
    [
      'a dest that is not a shop',
      (shop: string) => craft(shop, { dest: 'https://evil.example.com' }),
    ],
    [
      'a dest naming another shop than iss',
      (shop: string) => craft(shop, { dest: `https://${uniqueShop()}` }),
    ],
  ])('refuses %s with 401 and stores nothing', async (_, make) => {
    const shop = uniqueShop();
    const before = await refusedCount('bad_session_token');
    const answer = await exchange(await make(shop));
    expectRefusal(answer, 401, 'bad_session_token');
    expect(answer.headers['x-shopify-retry-invalid-session-request']).toBe('1');
    expect(await refusedCount('bad_session_token')).toBe(before + 1);
    expect(await stored(shop)).toEqual(NOTHING);
  });

  it("refuses the simulator's own expired session token, and a missing one", async () => {
    const shop = uniqueShop();
    expectRefusal(await exchange(await sessionToken(shop, -120)), 401, 'bad_session_token');
    expectRefusal(await exchange(null), 401, 'bad_session_token');
    expect(await stored(shop)).toEqual(NOTHING);
  });
});

describe('client credentials and legacy tokens (internal API)', () => {
  it('installs an organization-owned store with the client credentials grant', async () => {
    const shop = uniqueShop();
    expect(
      (
        await callJson('POST', `${shops.baseUrl}/shops/${shop}/client-credentials`, {
          bearer: null,
        })
      ).status,
    ).toBe(401);
    expect(await stored(shop)).toEqual(NOTHING);
    const answer = await callJson('POST', `${shops.baseUrl}/shops/${shop}/client-credentials`);
    expect(answer.status).toBe(201);
    const body = answer.json<{ grantType: string; expiresAt: string }>();
    expect(body.grantType).toBe('client_credentials');
    // Shopify's 24 h token (86399 s).
    const hours = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(await stored(shop)).toMatchObject({ installations: 1, credentials: 1 });
    expect(await adminStatus(shop, await internalToken(shop))).toBe(200);
  });

  it('refuses a malformed shop on the internal endpoints', async () => {
    expectRefusal(
      await callJson('POST', `${shops.baseUrl}/shops/evil.example.com/client-credentials`),
      400,
      'bad_shop',
    );
  });

  it('stores a legacy token the Admin API accepts, refuses one it does not', async () => {
    const shop = uniqueShop();
    const legacy = await sim.call<{ accessToken: string }>(
      'POST',
      `/sim/shops/${shop}/legacy-token`,
    );
    expect(legacy.status).toBe(201);
    const token = legacy.json.accessToken;

    const bogus = await callJson('POST', `${shops.baseUrl}/shops/${shop}/legacy-token`, {
      body: { accessToken: `shpat_${'0'.repeat(32)}` },
    });
    expectRefusal(bogus, 422, 'token_rejected');
    expect(await stored(shop)).toEqual(NOTHING);
    expectRefusal(
      await callJson('POST', `${shops.baseUrl}/shops/${shop}/legacy-token`, { body: {} }),
      400,
      'bad_request',
    );
    expect(await stored(shop)).toEqual(NOTHING);

    const answer = await callJson('POST', `${shops.baseUrl}/shops/${shop}/legacy-token`, {
      body: { accessToken: token },
    });
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({ shop, grantType: 'legacy', expiresAt: null });
    expect(answer.text).not.toContain(token);
    expect(await internalToken(shop)).toBe(token);
    expect(shops.logs()).not.toContain(token);
  });
});
