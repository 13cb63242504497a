import { createHmac } from 'node:crypto';
import { sleep, startAdminSim, uniqueShop, type AdminSim, type Json } from './support/admin-sim';
import { WebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver';

const SECRET = 'admin-api-test-secret';
const CREATE = `mutation($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri}) {
    webhookSubscription { id } userErrors { message }
  }
}`;
const LIST = `{ webhookSubscriptions(first: 10) { nodes { id topic uri } } }`;

describe('deliveries follow webhook subscriptions; uninstall and redact', () => {
  const receiver = new WebhookReceiver((r) => ({
    status: r.path.startsWith('/failing') ? 500 : 200,
  }));
  let hooks: string;
  let sim: AdminSim;

  beforeAll(async () => {
    hooks = new URL(await receiver.start()).origin;
    sim = await startAdminSim({ GATEWAY_URL: `${hooks}/gateway`, RETRY_TIME_SCALE: '0.0001' });
  });
  afterAll(async () => {
    await sim.close();
    await receiver.stop();
  });

  const received = (shop: string, path: string) =>
    receiver.received.filter((r) => r.path === path && r.headers['x-shopify-shop-domain'] === shop);
  const topicsOf = (list: ReceivedWebhook[]) =>
    [...new Set(list.map((r) => String(r.headers['x-shopify-topic'])))].sort();

  /** A shop the simulator manages: a legacy token issued for it. */
  const managedShop = async (label: string) => {
    const shop = uniqueShop(label);
    const { json } = await sim.control('POST', `/sim/shops/${shop}/legacy-token`);
    return { shop, token: json.accessToken as string };
  };
  const subscribe = async (
    shop: string,
    token: string,
    topic: string,
    uri: string,
    version = '2026-10',
  ) => {
    const { json } = await sim.graphql(shop, CREATE, { topic, uri }, { token, version });
    expect(json.data.webhookSubscriptionCreate.userErrors).toEqual([]);
    return json.data.webhookSubscriptionCreate.webhookSubscription.id as string;
  };
  const runStream = async (body: Record<string, unknown>) => {
    const started = await sim.control('POST', '/sim/webhooks/streams', { rate: 200, ...body });
    expect(started.status).toBe(201);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { json } = await sim.control('GET', `/sim/webhooks/streams/${started.json.id}`);
      if (json.state === 'completed' || Date.now() > deadline) return json.stats as Json;
      await sleep(50);
    }
  };
  const mix = { 'orders/create': 1, 'customers/create': 1 };

  it('a shop the simulator does not manage gets everything at GATEWAY_URL, as before', async () => {
    const shop = uniqueShop('legacy');
    const stats = await runStream({ count: 10, shops: [shop], topics: mix, seed: 1 });
    expect(stats).toMatchObject({ delivered: 10, notSubscribed: 0 });
    expect(received(shop, '/gateway')).toHaveLength(10);
  });

  it('a managed shop gets only its subscribed topics, at the subscribed endpoint and version', async () => {
    const { shop, token } = await managedShop('subscribed');
    await subscribe(shop, token, 'ORDERS_CREATE', `${hooks}/sub`, '2026-07');
    const stats = await runStream({ count: 20, shops: [shop], topics: mix, seed: 2 });
    const sub = received(shop, '/sub');
    expect(topicsOf(sub)).toEqual(['orders/create']);
    expect(sub[0]!.headers['x-shopify-api-version']).toBe('2026-07');
    expect(received(shop, '/gateway')).toEqual([]);
    expect(stats.generated).toBe(20);
    expect(stats.delivered).toBe(sub.length);
    expect(stats.notSubscribed).toBe(20 - sub.length);
    expect(
      (await sim.control('GET', '/sim/webhooks/stats')).json.deliveries.notSubscribed,
    ).toBeGreaterThanOrEqual(stats.notSubscribed);
  });

  it('a stream target is an app-configuration subscription: every topic there, plus the API subscriptions', async () => {
    const { shop, token } = await managedShop('target');
    await subscribe(shop, token, 'ORDERS_CREATE', `${hooks}/sub`);
    const stats = await runStream({
      count: 20,
      shops: [shop],
      topics: mix,
      seed: 3,
      targetUrl: `${hooks}/target`,
    });
    expect(received(shop, '/target')).toHaveLength(20);
    const sub = received(shop, '/sub');
    expect(topicsOf(sub)).toEqual(['orders/create']);
    expect(stats).toMatchObject({ generated: 20, notSubscribed: 0, delivered: 20 + sub.length });
    // Each endpoint has its own webhook id; the event id is shared.
    const first = sub[0]!;
    const twin = received(shop, '/target').find(
      (r) => r.headers['x-shopify-event-id'] === first.headers['x-shopify-event-id'],
    )!;
    expect(twin.webhookId).not.toBe(first.webhookId);
  });

  it('removes a subscription whose deliveries keep failing (time-scaled retries)', async () => {
    const { shop, token } = await managedShop('failing');
    await subscribe(shop, token, 'ORDERS_CREATE', `${hooks}/failing`);
    const keep = await subscribe(shop, token, 'ORDERS_CREATE', `${hooks}/sub`);
    const before = (await sim.control('GET', '/sim/webhooks/stats')).json.subscriptions
      .removedAfterFailures;
    const stats = await runStream({
      count: 1,
      shops: [shop],
      topics: { 'orders/create': 1 },
      seed: 4,
    });
    expect(stats).toMatchObject({ delivered: 1, failed: 1 });
    expect(received(shop, '/failing')).toHaveLength(9); // first attempt + 8 retries
    const list = (await sim.graphql(shop, LIST, undefined, { token })).json;
    expect(list.data.webhookSubscriptions.nodes.map((n: Json) => n.id)).toEqual([keep]);
    const after = (await sim.control('GET', '/sim/webhooks/stats')).json.subscriptions
      .removedAfterFailures;
    expect(after).toBe(before + 1);
  });

  it('uninstall revokes the tokens, removes the subscriptions and sends a signed app/uninstalled', async () => {
    const shop = uniqueShop('uninstall');
    const issued = await fetch(`${sim.base}/shops/${shop}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: 'shopwire-dev-client',
        client_secret: 'shopwire-dev-client-secret-0123456789abcdef',
        grant_type: 'client_credentials',
      }),
    });
    const token = ((await issued.json()) as Json).access_token as string;
    await subscribe(shop, token, 'APP_UNINSTALLED', `${hooks}/sub`);
    await subscribe(shop, token, 'ORDERS_CREATE', `${hooks}/sub`);

    const answer = await sim.control('POST', `/sim/shops/${shop}/uninstall`);
    expect(answer.json).toMatchObject({
      shop,
      revokedTokens: 1,
      removedSubscriptions: 2,
      webhooks: [{ topic: 'app/uninstalled', webhookId: expect.any(String), url: `${hooks}/sub` }],
    });
    expect((await sim.graphql(shop, LIST, undefined, { token })).status).toBe(401);

    const webhook = await waitFor(() =>
      received(shop, '/sub').find((r) => r.headers['x-shopify-topic'] === 'app/uninstalled'),
    );
    const hmac = createHmac('sha256', SECRET).update(webhook.body).digest('base64');
    expect(webhook.headers['x-shopify-hmac-sha256']).toBe(hmac);
    const body = JSON.parse(webhook.body.toString());
    expect(body).toMatchObject({
      myshopify_domain: shop,
      domain: expect.any(String),
      name: expect.any(String),
    });

    // No subscriptions any more: a stream for the shop sends nothing.
    const stats = await runStream({
      count: 5,
      shops: [shop],
      topics: { 'orders/create': 1 },
      seed: 5,
    });
    expect(stats).toMatchObject({ delivered: 0, notSubscribed: 5 });
    const oauth = (await sim.control('GET', '/sim/oauth/stats')).json;
    expect(oauth.uninstalls).toBeGreaterThanOrEqual(1);
    expect(oauth.unauthorized).toBeGreaterThanOrEqual(1);
  });

  it('without an app/uninstalled subscription, uninstall sends to the app configuration endpoint', async () => {
    const shop = uniqueShop('uninstall');
    const toConfig = await sim.control('POST', `/sim/shops/${shop}/uninstall`, {
      url: `${hooks}/config`,
    });
    expect(toConfig.json.webhooks).toEqual([expect.objectContaining({ url: `${hooks}/config` })]);
    await waitFor(() => received(shop, '/config')[0]);
    const other = uniqueShop('uninstall');
    await sim.control('POST', `/sim/shops/${other}/uninstall`);
    await waitFor(() => received(other, '/gateway')[0]);
  });

  it('redact sends shop/redact with Shopify’s body', async () => {
    const shop = uniqueShop('redact');
    const answer = await sim.control('POST', `/sim/shops/${shop}/redact`, {
      url: `${hooks}/config`,
    });
    expect(answer.status).toBe(200);
    const webhook = await waitFor(() =>
      received(shop, '/config').find((r) => r.headers['x-shopify-topic'] === 'shop/redact'),
    );
    expect(JSON.parse(webhook.body.toString())).toEqual({
      shop_id: expect.any(Number),
      shop_domain: shop,
    });
  });

  it('refuses a bad shop, a bad body and a missing bearer token', async () => {
    expect((await sim.control('POST', '/sim/shops/evil.com/uninstall')).status).toBe(400);
    expect(
      (await sim.control('POST', `/sim/shops/${uniqueShop('x')}/redact`, { url: 'nope' })).status,
    ).toBe(400);
    expect(
      (await fetch(`${sim.base}/sim/shops/${uniqueShop('x')}/uninstall`, { method: 'POST' }))
        .status,
    ).toBe(401);
  });
});

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(25);
  }
}
