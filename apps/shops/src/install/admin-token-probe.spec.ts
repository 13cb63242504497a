import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminTokenProbe } from './admin-token-probe';
import { InstallRefused } from './install-refusal';

// A real HTTP server on loopback stands in for the shop's Admin API: the probe's request and its
// reading of each kind of answer are what is checked.
type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let server: Server;
let handler: Handler;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => handler(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const probe = (timeoutMs = 2000) =>
  new AdminTokenProbe({
    shopUrlTemplate: `${baseUrl}/shops/{shop}`,
    apiVersion: '2026-01',
    timeoutMs,
  });

const answer = (status: number, body: unknown) => {
  handler = (_request, _body, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
};

async function reasonOf(promise: Promise<void>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InstallRefused) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('AdminTokenProbe', () => {
  it("asks { shop { name } } with the token at the shop's GraphQL endpoint", async () => {
    let seen: { url?: string; token?: unknown; query?: unknown } = {};
    handler = (request, body, response) => {
      seen = {
        url: request.url,
        token: request.headers['x-shopify-access-token'],
        query: (JSON.parse(body) as { query: string }).query,
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: { shop: { name: 'Acme' } } }));
    };
    await expect(probe().check('acme.myshopify.com', 'shpat_abc')).resolves.toBeUndefined();
    expect(seen).toEqual({
      url: '/shops/acme.myshopify.com/admin/api/2026-01/graphql.json',
      token: 'shpat_abc',
      query: '{ shop { name } }',
    });
  });

  it.each([
    [401, { errors: '[API] Invalid API key or access token' }, 'token_rejected'],
    [403, { errors: 'forbidden' }, 'token_rejected'],
    [402, { errors: 'Unavailable Shop' }, 'token_rejected'],
    [423, { errors: 'Locked' }, 'token_rejected'],
    [404, { errors: 'Not Found' }, 'token_rejected'],
    [200, { errors: [{ message: 'Access denied' }] }, 'token_rejected'],
    [200, 'not json', 'token_rejected'],
    [500, { errors: 'oops' }, 'shopify_unavailable'],
    [503, 'maintenance', 'shopify_unavailable'],
    [429, { errors: 'throttled' }, 'shopify_unavailable'],
  ])('answer %i %j → %s', async (status, body, reason) => {
    answer(status, body);
    expect(await reasonOf(probe().check('acme.myshopify.com', 'shpat_abc'))).toBe(reason);
  });

  it('never quotes the token in its refusal', async () => {
    answer(401, { errors: 'Invalid API key or access token (shpat_secret)' });
    const error = await probe()
      .check('acme.myshopify.com', 'shpat_secret')
      .catch((e: Error) => e);
    expect((error as Error).message).not.toContain('shpat_secret');
  });

  it('refuses as unavailable when the Admin API does not answer in time', async () => {
    handler = () => undefined; // never answers
    expect(await reasonOf(probe(200).check('acme.myshopify.com', 'shpat_abc'))).toBe(
      'shopify_unavailable',
    );
  });

  it('refuses as unavailable when nothing listens', async () => {
    const closed = new AdminTokenProbe({
      shopUrlTemplate: 'http://127.0.0.1:9/shops/{shop}',
      apiVersion: '2026-01',
      timeoutMs: 2000,
    });
    expect(await reasonOf(closed.check('acme.myshopify.com', 'shpat_abc'))).toBe(
      'shopify_unavailable',
    );
  });
});
