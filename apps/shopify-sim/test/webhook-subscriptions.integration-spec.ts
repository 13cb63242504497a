import { startAdminSim, uniqueShop, type AdminSim, type Json } from './support/admin-sim';

const FIELDS = `
  id legacyResourceId topic uri format includeFields filter createdAt updatedAt
  apiVersion { handle }
  endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } ... on WebhookPubSubEndpoint { pubSubProject pubSubTopic } }
`;
const CREATE = `mutation Create($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { ${FIELDS} }
    userErrors { field message }
  }
}`;
const UPDATE = `mutation Update($id: ID!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $sub) {
    webhookSubscription { ${FIELDS} }
    userErrors { field message }
  }
}`;
const DELETE = `mutation Delete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}`;
const LIST = `query List($first: Int!, $after: String, $topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: $first, after: $after, topics: $topics) {
    edges { cursor node { ${FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('webhook subscriptions through the Admin GraphQL API', () => {
  let sim: AdminSim;
  beforeAll(async () => {
    sim = await startAdminSim();
  });
  afterAll(() => sim.close());

  const create = async (
    shop: string,
    topic: string,
    sub: Record<string, unknown>,
    version?: string,
  ) => (await sim.graphql(shop, CREATE, { topic, sub }, { version })).json as Json;

  it('creates, lists, pages, updates and deletes with Shopify’s field names', async () => {
    const shop = uniqueShop('subs');
    const created = await create(
      shop,
      'ORDERS_CREATE',
      { uri: 'https://hooks.example.com/shopify', includeFields: ['id'] },
      '2026-07',
    );
    expect(created.data.webhookSubscriptionCreate.userErrors).toEqual([]);
    const subscription = created.data.webhookSubscriptionCreate.webhookSubscription;
    expect(subscription).toMatchObject({
      id: expect.stringMatching(/^gid:\/\/shopify\/WebhookSubscription\/\d+$/),
      topic: 'ORDERS_CREATE',
      uri: 'https://hooks.example.com/shopify',
      format: 'JSON',
      includeFields: ['id'],
      filter: null,
      apiVersion: { handle: '2026-07' },
      endpoint: {
        __typename: 'WebhookHttpEndpoint',
        callbackUrl: 'https://hooks.example.com/shopify',
      },
    });
    expect(subscription.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.extensions.cost.requestedQueryCost).toBe(10);

    // The older callbackUrl input and a Pub/Sub endpoint.
    await create(shop, 'ORDERS_UPDATED', { callbackUrl: 'https://hooks.example.com/shopify' });
    const pubsub = await create(shop, 'PRODUCTS_UPDATE', {
      uri: 'pubsub://my-project-1:shopify-topic',
    });
    expect(pubsub.data.webhookSubscriptionCreate.webhookSubscription.endpoint).toEqual({
      __typename: 'WebhookPubSubEndpoint',
      pubSubProject: 'my-project-1',
      pubSubTopic: 'shopify-topic',
    });

    const page1 = (await sim.graphql(shop, LIST, { first: 2 })).json as Json;
    expect(page1.data.webhookSubscriptions.edges.map((e: Json) => e.node.topic)).toEqual([
      'ORDERS_CREATE',
      'ORDERS_UPDATED',
    ]);
    expect(page1.data.webhookSubscriptions.pageInfo.hasNextPage).toBe(true);
    expect(page1.extensions.cost.requestedQueryCost).toBeGreaterThan(2);
    const page2 = (
      await sim.graphql(shop, LIST, {
        first: 2,
        after: page1.data.webhookSubscriptions.pageInfo.endCursor,
      })
    ).json as Json;
    expect(page2.data.webhookSubscriptions.edges.map((e: Json) => e.node.topic)).toEqual([
      'PRODUCTS_UPDATE',
    ]);
    const filtered = (await sim.graphql(shop, LIST, { first: 10, topics: ['ORDERS_UPDATED'] }))
      .json as Json;
    expect(filtered.data.webhookSubscriptions.edges).toHaveLength(1);
    // Another shop sees none of them.
    expect(
      ((await sim.graphql(uniqueShop('subs'), LIST, { first: 10 })).json as Json).data
        .webhookSubscriptions.edges,
    ).toEqual([]);

    const updated = (
      await sim.graphql(shop, UPDATE, {
        id: subscription.id,
        sub: { uri: 'https://new.example.com/hooks', filter: 'total_price:>100' },
      })
    ).json as Json;
    expect(updated.data.webhookSubscriptionUpdate).toMatchObject({
      userErrors: [],
      webhookSubscription: {
        uri: 'https://new.example.com/hooks',
        filter: 'total_price:>100',
        apiVersion: { handle: '2026-10' },
      },
    });

    const deleted = (await sim.graphql(shop, DELETE, { id: subscription.id })).json as Json;
    expect(deleted.data.webhookSubscriptionDelete).toEqual({
      deletedWebhookSubscriptionId: subscription.id,
      userErrors: [],
    });
    const one = (
      await sim.graphql(shop, `{ webhookSubscription(id: "${subscription.id}") { id } }`)
    ).json as Json;
    expect(one.data.webhookSubscription).toBeNull();
  });

  it('answers bad input with userErrors', async () => {
    const shop = uniqueShop('subs');
    const errorsOf = (json: Json, field: string) => json.data[field].userErrors;
    expect(
      errorsOf(
        await create(shop, 'ORDERS_CREATE', { uri: 'not a url' }),
        'webhookSubscriptionCreate',
      ),
    ).toEqual([{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address is invalid' }]);
    expect(
      errorsOf(await create(shop, 'ORDERS_CREATE', {}), 'webhookSubscriptionCreate')[0].message,
    ).toBe("Address can't be blank");
    await create(shop, 'ORDERS_CREATE', { uri: 'https://a.example.com/x' });
    const duplicate = await create(shop, 'ORDERS_CREATE', { uri: 'https://a.example.com/x' });
    expect(duplicate.data.webhookSubscriptionCreate).toEqual({
      webhookSubscription: null,
      userErrors: [
        {
          field: ['webhookSubscription', 'callbackUrl'],
          message: 'Address for this topic has already been taken',
        },
      ],
    });
    const missing = 'gid://shopify/WebhookSubscription/1';
    expect(
      errorsOf(
        (await sim.graphql(shop, UPDATE, { id: missing, sub: { uri: 'https://b.example.com' } }))
          .json,
        'webhookSubscriptionUpdate',
      ),
    ).toEqual([{ field: ['id'], message: 'Webhook subscription does not exist' }]);
    expect(
      (await sim.graphql(shop, DELETE, { id: missing })).json.data.webhookSubscriptionDelete,
    ).toEqual({
      deletedWebhookSubscriptionId: null,
      userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
    });
    // Compliance topics are app configuration only: not in the enum.
    const compliance = (
      await sim.graphql(shop, CREATE, {
        topic: 'SHOP_REDACT',
        sub: { uri: 'https://a.example.com' },
      })
    ).json as Json;
    expect(compliance.errors[0].message).toMatch(/WebhookSubscriptionTopic/);
  });

  it('keeps a strict shop’s subscriptions behind its token', async () => {
    const shop = uniqueShop('subs');
    const { json } = await sim.control('POST', `/sim/shops/${shop}/legacy-token`);
    expect((await sim.graphql(shop, LIST, { first: 1 }, { token: 'shpat_guess' })).status).toBe(
      401,
    );
    expect((await sim.graphql(shop, LIST, { first: 1 }, { token: json.accessToken })).status).toBe(
      200,
    );
  });
});
