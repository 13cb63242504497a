import type { WebhookSubscriptionsDeclaration } from '@shopwire/contracts';
import { Registry } from 'prom-client';
import {
  CREATE_SUBSCRIPTION,
  DELETE_SUBSCRIPTION,
  LIST_SUBSCRIPTIONS,
  UPDATE_SUBSCRIPTION,
} from './subscription-graphql';
import { SubscriptionReconciler, type ShopGraphql } from './subscription-reconciler';

const ENDPOINT = 'https://hooks.example.com/webhooks/shopify';

const DECLARATION: WebhookSubscriptionsDeclaration = {
  apiVersion: '2026-01',
  format: 'JSON',
  endpointEnv: 'SHOPIFY_WEBHOOK_URL',
  topics: [
    { topic: 'orders/create', via: 'admin-api', consumers: ['order'] },
    { topic: 'orders/updated', via: 'admin-api', consumers: ['order'], includeFields: ['id'] },
    { topic: 'app/uninstalled', via: 'admin-api', consumers: ['shops'] },
    { topic: 'shop/redact', via: 'app-configuration', consumers: ['shops'] },
  ],
};

interface FakeNode {
  id: string;
  topic: string;
  uri: string;
  format: string;
  includeFields: string[];
  filter: string | null;
  apiVersion: { handle: string };
  endpoint: { __typename: string; callbackUrl: string };
}

/** A shop's subscriptions as the Admin API keeps them; the logic under test never sees this. */
class FakeShop {
  nodes: FakeNode[] = [];
  calls: string[] = [];
  refuse = new Set<string>();
  private seq = 0;

  add(topic: string, uri = ENDPOINT, extra: Partial<FakeNode> = {}): FakeNode {
    const node: FakeNode = {
      id: `gid://shopify/WebhookSubscription/${(this.seq += 1)}`,
      topic,
      uri,
      format: 'JSON',
      includeFields: [],
      filter: null,
      apiVersion: { handle: '2026-01' },
      endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: uri },
      ...extra,
    };
    this.nodes.push(node);
    return node;
  }

  graphql: ShopGraphql = async (query, variables) => {
    await Promise.resolve();
    const v = variables as Record<string, never>;
    if (query === LIST_SUBSCRIPTIONS) {
      this.calls.push('list');
      const start = v.after ? Number(v.after) : 0;
      const slice = this.nodes.slice(start, start + Number(v.first));
      const end = start + slice.length;
      return {
        webhookSubscriptions: {
          edges: slice.map((node, i) => ({ cursor: String(start + i + 1), node })),
          pageInfo: { hasNextPage: end < this.nodes.length, endCursor: String(end) },
        },
      };
    }
    if (query === CREATE_SUBSCRIPTION) {
      this.calls.push(`create ${v.topic}`);
      if (this.refuse.has(v.topic))
        return {
          webhookSubscriptionCreate: {
            webhookSubscription: null,
            userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }],
          },
        };
      const input = v.webhookSubscription as Record<string, never>;
      const node = this.add(v.topic, input.uri, { includeFields: input.includeFields ?? [] });
      return { webhookSubscriptionCreate: { webhookSubscription: node, userErrors: [] } };
    }
    if (query === UPDATE_SUBSCRIPTION) {
      const node = this.nodes.find((n) => n.id === v.id)!;
      this.calls.push(`update ${node.topic}`);
      const input = v.webhookSubscription as Record<string, never>;
      Object.assign(node, {
        uri: input.uri,
        includeFields: input.includeFields ?? [],
        apiVersion: { handle: '2026-01' },
        endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: input.uri },
      });
      return { webhookSubscriptionUpdate: { webhookSubscription: node, userErrors: [] } };
    }
    if (query === DELETE_SUBSCRIPTION) {
      const node = this.nodes.find((n) => n.id === v.id)!;
      this.calls.push(`delete ${node.topic}`);
      this.nodes = this.nodes.filter((n) => n.id !== v.id);
      return { webhookSubscriptionDelete: { deletedWebhookSubscriptionId: v.id, userErrors: [] } };
    }
    throw new Error('unexpected query');
  };
}

/** Sum of the series of `name` whose labels include `labels`. */
async function metric(registry: Registry, name: string, labels: Record<string, string>) {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (found?.values ?? [])
    .filter((v) =>
      Object.entries(labels).every(([k, l]) => (v.labels as Record<string, string>)[k] === l),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

describe('SubscriptionReconciler', () => {
  let shop: FakeShop;
  let registry: Registry;
  let reconciler: SubscriptionReconciler;

  beforeEach(() => {
    shop = new FakeShop();
    registry = new Registry();
    reconciler = new SubscriptionReconciler({
      endpoint: ENDPOINT,
      declaration: DECLARATION,
      registry,
      pageSize: 2,
    });
  });

  it('creates every Admin API topic on a fresh install, never a compliance topic', async () => {
    const report = await reconciler.reconcile('a.myshopify.com', shop.graphql, 'install');
    expect(report.created).toEqual(['orders/create', 'orders/updated', 'app/uninstalled']);
    expect(shop.nodes.map((n) => n.topic)).toEqual([
      'ORDERS_CREATE',
      'ORDERS_UPDATED',
      'APP_UNINSTALLED',
    ]);
    expect(shop.nodes[1]!.includeFields).toEqual(['id']);
    // An install finds everything missing by design: not counted as missing.
    expect(await metric(registry, 'shopwire_webhook_subscriptions_missing_total', {})).toBe(0);
    expect(
      await metric(registry, 'shopwire_webhook_subscriptions_repaired_total', {
        action: 'created',
        trigger: 'install',
      }),
    ).toBe(3);
  });

  it('reads every page, then changes nothing when all is in place', async () => {
    await reconciler.reconcile('a.myshopify.com', shop.graphql, 'install');
    shop.add('CUSTOMERS_CREATE', 'https://erp.example.net/x');
    shop.add('ORDERS_CREATE', 'https://erp.example.net/x');
    shop.calls = [];
    const report = await reconciler.reconcile('a.myshopify.com', shop.graphql, 'schedule');
    expect(shop.calls).toEqual(['list', 'list', 'list']);
    expect(report).toMatchObject({
      created: [],
      updated: [],
      deleted: [],
      unchanged: ['orders/create', 'orders/updated', 'app/uninstalled'],
      foreign: 2,
    });
  });

  it('brings back a deleted one, fixes a wrong URI, removes an undeclared owned one, leaves foreign ones', async () => {
    shop.add('ORDERS_UPDATED', 'https://hooks.example.com/old', { includeFields: ['id'] });
    shop.add('APP_UNINSTALLED');
    shop.add('PRODUCTS_UPDATE');
    const foreign = shop.add('ORDERS_CREATE', 'https://erp.example.net/hooks');
    const report = await reconciler.reconcile('a.myshopify.com', shop.graphql, 'schedule');
    expect(report.created).toEqual(['orders/create']);
    expect(report.updated).toEqual([{ topic: 'orders/updated', changes: ['uri'] }]);
    expect(report.deleted).toEqual([
      expect.objectContaining({ topic: 'products/update', reason: 'not_declared' }),
    ]);
    expect(report.unchanged).toEqual(['app/uninstalled']);
    expect(shop.nodes).toContainEqual(foreign);
    expect(shop.nodes.find((n) => n.topic === 'ORDERS_UPDATED')!.uri).toBe(ENDPOINT);
    expect(
      await metric(registry, 'shopwire_webhook_subscriptions_missing_total', {
        topic: 'orders/create',
      }),
    ).toBe(1);
    for (const action of ['created', 'updated', 'deleted'])
      expect(
        await metric(registry, 'shopwire_webhook_subscriptions_repaired_total', {
          action,
          trigger: 'schedule',
        }),
      ).toBe(1);
    expect(report.subscriptions.map((s) => [s.topic, s.state])).toEqual([
      ['orders/create', 'created'],
      ['orders/updated', 'updated'],
      ['app/uninstalled', 'in_place'],
    ]);
  });

  it('reports a refused change, goes on with the rest, and does not count the run as a success', async () => {
    shop.refuse.add('ORDERS_CREATE');
    const report = await reconciler.reconcile('a.myshopify.com', shop.graphql, 'manual');
    expect(report.failed).toEqual([
      {
        topic: 'orders/create',
        action: 'create',
        message: 'webhookSubscription.uri: Address is invalid',
      },
    ]);
    expect(report.created).toEqual(['orders/updated', 'app/uninstalled']);
    expect(
      await metric(registry, 'shopwire_webhook_subscriptions_reconciles_total', {
        outcome: 'failed',
      }),
    ).toBe(1);
    expect(
      await metric(registry, 'shopwire_webhook_subscriptions_last_success_timestamp_seconds', {}),
    ).toBe(0);
  });

  it('changes nothing when the listing fails, and counts the failure', async () => {
    const failing: ShopGraphql = () => Promise.reject(new Error('HTTP_5XX'));
    await expect(reconciler.reconcile('a.myshopify.com', failing, 'schedule')).rejects.toThrow(
      'HTTP_5XX',
    );
    expect(
      await metric(registry, 'shopwire_webhook_subscriptions_reconciles_total', {
        outcome: 'failed',
      }),
    ).toBe(1);
  });

  it('sets the last-success time on a complete run', async () => {
    const before = Date.now() / 1000 - 1;
    await reconciler.reconcile('a.myshopify.com', shop.graphql, 'install');
    expect(
      await metric(registry, 'shopwire_webhook_subscriptions_last_success_timestamp_seconds', {}),
    ).toBeGreaterThan(before);
  });
});
