import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { InstallStateCookie, registerInstallCookies, STATE_COOKIE } from './install-state';

const SECRET = 'cookie-secret-0123456789abcdef';
const SHOP = 'acme.myshopify.com';

/** A real Fastify instance with the plugin: issue at /auth/install, consume at /auth/callback. */
async function server(publicUrl = 'https://shops.example.com'): Promise<FastifyInstance> {
  const app = Fastify();
  registerInstallCookies(app, SECRET);
  const state = new InstallStateCookie({ publicUrl, maxAgeSeconds: 600 });
  app.get('/auth/install', (request, reply) => {
    const { shop } = request.query as { shop: string };
    return { state: state.issue(reply, shop) };
  });
  app.get('/auth/callback', (request, reply) => {
    const { shop, state: nonce } = request.query as { shop: string; state?: string };
    return { check: state.consume(request, reply, nonce, shop) };
  });
  await app.ready();
  return app;
}

async function install(app: FastifyInstance, shop = SHOP) {
  const response = await app.inject({ method: 'GET', url: `/auth/install?shop=${shop}` });
  const cookie = response.cookies.find((c) => c.name === STATE_COOKIE)!;
  return { response, cookie, nonce: (response.json() as { state: string }).state };
}

async function callback(app: FastifyInstance, query: string, cookie?: string) {
  const response = await app.inject({
    method: 'GET',
    url: `/auth/callback?${query}`,
    headers: cookie === undefined ? {} : { cookie: `${STATE_COOKIE}=${cookie}` },
  });
  return { check: (response.json() as { check: string }).check, response };
}

describe('InstallStateCookie', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await server();
  });
  afterAll(() => app.close());

  it('sets a signed, HttpOnly, Secure, SameSite=Lax cookie with a short max-age on /auth', async () => {
    const { cookie, nonce } = await install(app);
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(cookie).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/auth',
      maxAge: 600,
    });
    // Signed: the value carries a signature after the nonce and shop.
    expect(cookie.value.startsWith(`${nonce}.${SHOP}.`)).toBe(true);
  });

  it('gives each install its own nonce', async () => {
    const [a, b] = [await install(app), await install(app)];
    expect(a.nonce).not.toBe(b.nonce);
  });

  it('accepts the same nonce and shop from the same browser, and clears the cookie', async () => {
    const { cookie, nonce } = await install(app);
    const { check, response } = await callback(app, `shop=${SHOP}&state=${nonce}`, cookie.value);
    expect(check).toBe('ok');
    const cleared = response.cookies.find((c) => c.name === STATE_COOKIE)!;
    expect(cleared.value).toBe('');
    expect(cleared.path).toBe('/auth');
    expect(cleared.expires?.getTime()).toBeLessThan(Date.now());
  });

  it('refuses a callback without the cookie (another browser)', async () => {
    const { nonce } = await install(app);
    expect((await callback(app, `shop=${SHOP}&state=${nonce}`)).check).toBe('missing_state');
  });

  it('refuses a callback without state', async () => {
    const { cookie } = await install(app);
    expect((await callback(app, `shop=${SHOP}`, cookie.value)).check).toBe('missing_state');
  });

  it("refuses another browser's cookie", async () => {
    const mine = await install(app);
    const theirs = await install(app);
    const { check } = await callback(app, `shop=${SHOP}&state=${mine.nonce}`, theirs.cookie.value);
    expect(check).toBe('state_mismatch');
  });

  it('refuses the nonce for another shop', async () => {
    const { cookie, nonce } = await install(app);
    const { check } = await callback(app, `shop=other.myshopify.com&state=${nonce}`, cookie.value);
    expect(check).toBe('state_mismatch');
  });

  it('refuses a cookie whose signature does not verify', async () => {
    const { nonce } = await install(app);
    const forged = `${nonce}.${SHOP}.${'A'.repeat(43)}`;
    expect((await callback(app, `shop=${SHOP}&state=${nonce}`, forged)).check).toBe(
      'state_mismatch',
    );
    const unsigned = `${nonce}.${SHOP}`;
    expect((await callback(app, `shop=${SHOP}&state=${nonce}`, unsigned)).check).toBe(
      'state_mismatch',
    );
  });

  it('refuses a cookie signed with another secret', async () => {
    const { nonce } = await install(app);
    const other = Fastify();
    await other.register(fastifyCookie, { secret: `${SECRET}-other` });
    await other.ready();
    const signed = other.signCookie(`${nonce}.${SHOP}`);
    await other.close();
    expect((await callback(app, `shop=${SHOP}&state=${nonce}`, signed)).check).toBe(
      'state_mismatch',
    );
  });

  it('is not Secure when the public URL is plain http (local development)', async () => {
    const local = await server('http://127.0.0.1:3006');
    const { cookie } = await install(local);
    expect(cookie.secure).toBeFalsy();
    await local.close();
  });
});
