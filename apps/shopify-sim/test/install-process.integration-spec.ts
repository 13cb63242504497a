import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';

// The built simulator as its own process (`npm run build` first), configured through the
// environment, driven as the shops service will drive it: authorize, callback query, token.
const CLIENT_ID = 'process-test-client';
const SECRET = 'process-test-client-secret-0123456789';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('install against the simulator process', () => {
  let sim: SimulatorProcess;
  beforeAll(async () => {
    sim = await startSimulatorProcess({
      SIM_APP_CLIENT_ID: CLIENT_ID,
      SIM_APP_CLIENT_SECRET: SECRET,
    });
  });
  afterAll(() => sim.stop());

  it('installs with the app from SIM_APP_CLIENT_ID/SECRET, refreshes, uninstalls and reinstalls', async () => {
    const shop = `it-process-${process.pid}.myshopify.com`;
    const shopUrl = `${sim.baseUrl}/shops/${shop}`;
    const authorize = await fetch(
      `${shopUrl}/admin/oauth/authorize?client_id=${CLIENT_ID}&scope=read_orders&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/auth/callback')}&state=s1`,
      { redirect: 'manual' },
    );
    expect(authorize.status).toBe(302);
    const code = new URL(authorize.headers.get('location')!).searchParams.get('code');
    const token = async (body: Json) => {
      const response = await fetch(`${shopUrl}/admin/oauth/access_token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: CLIENT_ID, client_secret: SECRET, ...body }),
      });
      return { status: response.status, json: (await response.json()) as Json };
    };
    const admin = async (accessToken: string) =>
      (
        await fetch(`${shopUrl}/admin/api/2026-10/graphql.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': accessToken },
          body: JSON.stringify({ query: '{ shop { name } }' }),
        })
      ).status;

    const installed = await token({ code, expiring: 1 });
    expect(installed.status).toBe(200);
    expect(await admin(installed.json.access_token)).toBe(200);
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: installed.json.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(await admin(refreshed.json.access_token)).toBe(200);

    const uninstall = await sim.call('POST', `/sim/shops/${shop}/uninstall`, {
      url: 'http://127.0.0.1:9/none',
    });
    expect(uninstall.status).toBe(200);
    expect(await admin(refreshed.json.access_token)).toBe(401);
    expect(
      (await token({ grant_type: 'refresh_token', refresh_token: refreshed.json.refresh_token }))
        .json.error,
    ).toBe('invalid_grant');

    const session = await sim.call<{ token: string }>('POST', '/sim/oauth/session-token', { shop });
    const reinstalled = await token({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: session.json.token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      requested_token_type: 'urn:shopify:params:oauth:token-type:offline-access-token',
    });
    expect(reinstalled.status).toBe(200);
    expect(await admin(reinstalled.json.access_token)).toBe(200);
    const stats = await sim.call<Json>('GET', '/sim/oauth/stats');
    expect(stats.json).toMatchObject({
      grants: { authorization_code: 1, refresh_token: 1, token_exchange: 1 },
      uninstalls: 1,
      unauthorized: 1,
    });
  });
});
