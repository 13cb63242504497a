import type { Outcome } from '../services/upstream';
import { deliveriesPage, journeys, type DeliveryItem } from './deliveries';

const item = (overrides: Partial<DeliveryItem>): DeliveryItem => ({
  service: 'order',
  consumer: 'order',
  webhookId: 'w1',
  eventId: 'w1',
  shop: 'a.myshopify.com',
  topic: 'orders/create',
  resourceId: '9007199254740993',
  kafka: { topic: 'shopify.orders.v1', partition: 2, offset: '17' },
  acceptedAt: '2026-12-06T10:00:00.000Z',
  processedAt: '2026-12-06T10:00:01.000Z',
  outcome: 'applied',
  attempts: 1,
  error: null,
  traceId: null,
  duplicateCount: 0,
  lastDuplicateAt: null,
  ...overrides,
});

describe('deliveries', () => {
  it('groups consumers by webhook, in processing order, newest webhook first', () => {
    const grouped = journeys([
      item({ service: 'sync', consumer: 'sync', processedAt: '2026-12-06T10:00:03.000Z' }),
      item({ traceId: 'abc' }),
      item({
        service: 'inventory',
        consumer: 'inventory',
        processedAt: '2026-12-06T10:00:02.000Z',
        outcome: 'retrying',
      }),
      item({ webhookId: 'w2', eventId: 'w2', processedAt: '2026-12-06T11:00:01.000Z' }),
    ]);
    expect(grouped.map((j) => j.webhookId)).toEqual(['w2', 'w1']);
    expect(grouped[1]!.consumers.map((c) => c.service)).toEqual(['order', 'inventory', 'sync']);
    expect(grouped[1]!.traceId).toBe('abc');
    expect(grouped[1]!.resourceId).toBe('9007199254740993');
    expect(grouped[1]!.accepted).toEqual({
      topic: 'shopify.orders.v1',
      partition: 2,
      offset: '17',
      at: '2026-12-06T10:00:00.000Z',
    });
  });

  it("takes the gateway's acceptance from the webhook topic's row, not from a caused event", () => {
    const [journey] = journeys([
      item({
        service: 'notification',
        consumer: 'notification',
        eventId: 'e9',
        topic: 'orders.order.accepted',
        kafka: { topic: 'shopwire.orders.events.v1', partition: 0, offset: '3' },
        acceptedAt: '2026-12-06T10:00:01.500Z',
        processedAt: '2026-12-06T10:00:02.000Z',
      }),
      item({}),
    ]);
    expect(journey!.accepted?.topic).toBe('shopify.orders.v1');
    expect(journey!.topic).toBe('orders/create');
    expect(journey!.consumers).toHaveLength(2);
  });

  it("shows a service's refusal, and pages only the services that had more", async () => {
    const page = await deliveriesPage({ shop: 'a.myshopify.com' }, undefined, 50, (service) =>
      Promise.resolve<Outcome<{ items: DeliveryItem[]; nextCursor: string | null }>>(
        service === 'order'
          ? { ok: true, data: { items: [item({})], nextCursor: 'c2' } }
          : {
              ok: false,
              kind: 'denied',
              message: 'this credential lacks the scope deliveries:read',
            },
      ),
    );
    expect(page.journeys).toHaveLength(1);
    expect(page.notices.map((n) => [n.service, n.kind])).toContainEqual(['sync', 'denied']);
    const asked: string[] = [];
    await deliveriesPage({ shop: 'a.myshopify.com' }, page.next!, 50, (service, query) => {
      asked.push(`${service}:${query.cursor}`);
      return Promise.resolve({ ok: true, data: { items: [], nextCursor: null } });
    });
    expect(asked).toEqual(['order:c2']);
  });
});
