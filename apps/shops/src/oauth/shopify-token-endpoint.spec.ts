import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShopifyTokenEndpoint, TokenEndpointError } from './shopify-token-endpoint';

type Handler = (req: IncomingMessage, body: Record<string, unknown>, res: ServerResponse) => void;

/** A stand-in for Shopify's token endpoint on loopback, recording what it was sent. */
async function stubServer(handler: Handler): Promise<{
  base: string;
  server: Server;
  seen: Array<{ path: string; body: Record<string, unknown> }>;
}> {
  const seen: Array<{ path: string; body: Record<string, unknown> }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      seen.push({ path: req.url ?? '', body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, server, seen };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const SHOP = 'acme.myshopify.com';
const SECRET = 'client-secret-0123456789abcdef';

function endpoint(
  base: string,
  extra: Partial<ConstructorParameters<typeof ShopifyTokenEndpoint>[0]> = {},
) {
  return new ShopifyTokenEndpoint({
    clientId: 'client-id',
    clientSecret: SECRET,
    shopUrlTemplate: `${base}/shops/{shop}`,
    expiringOfflineTokens: true,
    now: () => Date.parse('2026-12-05T10:00:00Z'),
    ...extra,
  });
}

describe('ShopifyTokenEndpoint', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  async function stub(handler: Handler) {
    const s = await stubServer(handler);
    servers.push(s.server);
    return s;
  }

  it('exchanges an authorization code, asking for an expiring token', async () => {
    const { base, seen } = await stub((_req, _body, res) =>
      json(res, 200, {
        access_token: 'shpat_abc',
        scope: 'read_orders,write_products',
        expires_in: 3600,
        refresh_token: 'shprt_def',
        refresh_token_expires_in: 7776000,
      }),
    );
    const grant = await endpoint(base).authorizationCode(SHOP, 'the-code');
    expect(seen).toEqual([
      {
        path: `/shops/${SHOP}/admin/oauth/access_token`,
        body: { client_id: 'client-id', client_secret: SECRET, code: 'the-code', expiring: 1 },
      },
    ]);
    expect(grant).toEqual({
      accessToken: 'shpat_abc',
      scopes: ['read_orders', 'write_products'],
      expiresAt: new Date('2026-12-05T11:00:00Z'),
      refreshToken: 'shprt_def',
      refreshTokenExpiresAt: new Date(Date.parse('2026-12-05T10:00:00Z') + 7776000_000),
    });
  });

  it('sends each grant with Shopify field names', async () => {
    const { base, seen } = await stub((_req, _body, res) =>
      json(res, 200, { access_token: 'shpat_x', scope: 'read_orders' }),
    );
    const client = endpoint(base);
    await client.tokenExchange(SHOP, 'jwt.jwt.jwt');
    await client.clientCredentials(SHOP);
    const refreshed = await client.refresh(SHOP, 'shprt_old');
    expect(seen.map((s) => s.body)).toEqual([
      {
        client_id: 'client-id',
        client_secret: SECRET,
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: 'jwt.jwt.jwt',
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        requested_token_type: 'urn:shopify:params:oauth:token-type:offline-access-token',
        expiring: 1,
      },
      { client_id: 'client-id', client_secret: SECRET, grant_type: 'client_credentials' },
      {
        client_id: 'client-id',
        client_secret: SECRET,
        grant_type: 'refresh_token',
        refresh_token: 'shprt_old',
      },
    ]);
    expect(refreshed).toMatchObject({
      expiresAt: null,
      refreshToken: null,
      refreshTokenExpiresAt: null,
    });
  });

  it('leaves out `expiring` when non-expiring tokens are configured', async () => {
    const { base, seen } = await stub((_req, _body, res) =>
      json(res, 200, { access_token: 'a', scope: '' }),
    );
    await endpoint(base, { expiringOfflineTokens: false }).authorizationCode(SHOP, 'c');
    expect(seen[0].body).not.toHaveProperty('expiring');
  });

  it("reports Shopify's error code without the request's secrets", async () => {
    const { base } = await stub((_req, _body, res) =>
      json(res, 400, {
        error: 'invalid_grant',
        error_description: 'refresh token shprt_old revoked',
      }),
    );
    const error = (await endpoint(base)
      .refresh(SHOP, 'shprt_old')
      .catch((e: unknown) => e)) as TokenEndpointError;
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error).toMatchObject({ code: 'invalid_grant', status: 400, transient: false });
    const text = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(text).not.toContain('shprt_old');
    expect(text).not.toContain(SECRET);
  });

  it('treats 5xx and 429 as transient, odd error codes as a plain status', async () => {
    let status = 503;
    const { base } = await stub((_req, _body, res) => json(res, status, { error: '<script>' }));
    await expect(endpoint(base).clientCredentials(SHOP)).rejects.toMatchObject({
      code: 'server_error',
      status: 503,
      transient: true,
    });
    status = 429;
    await expect(endpoint(base).clientCredentials(SHOP)).rejects.toMatchObject({
      status: 429,
      transient: true,
    });
    status = 401;
    await expect(endpoint(base).clientCredentials(SHOP)).rejects.toMatchObject({
      code: 'http_error',
      transient: false,
    });
  });

  it('times out a silent endpoint as transient', async () => {
    const { base } = await stub(() => {
      // Never answers: the response is lost.
    });
    const started = Date.now();
    await expect(endpoint(base, { timeoutMs: 200 }).refresh(SHOP, 'shprt_x')).rejects.toMatchObject(
      {
        code: 'timeout',
        transient: true,
      },
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports an unreachable endpoint as transient', async () => {
    const { base, server } = await stub(() => undefined);
    servers.splice(servers.indexOf(server), 1);
    await new Promise((r) => server.close(r));
    await expect(endpoint(base).clientCredentials(SHOP)).rejects.toMatchObject({
      code: 'unreachable',
      transient: true,
    });
  });

  it('refuses a 200 without an access token', async () => {
    const { base } = await stub((_req, _body, res) => json(res, 200, { scope: 'read_orders' }));
    await expect(endpoint(base).clientCredentials(SHOP)).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });

  it('refuses a shop that is not a shop domain before calling anything', async () => {
    const { base, seen } = await stub((_req, _body, res) => json(res, 200, {}));
    await expect(endpoint(base).clientCredentials('evil.com/x?')).rejects.toMatchObject({
      code: 'invalid_shop',
    });
    expect(seen).toHaveLength(0);
  });
});
