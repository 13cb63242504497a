import type { Outcome } from '../services/upstream';
import { deliveriesPage, journeys, type DeliveryItem } from './deliveries';

const item = (overrides: Partial<DeliveryItem>): DeliveryItem => ({
  service: 'order',
  consumer: 'order',
  webhookId: 'w1',
  eventId: 'e1',
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
  ...overrides,
});

describe('deliveries', () => {
  it('groups consumers by webhook, in processing order, newest webhook first', () => {
    const grouped = journeys([
      item({ service: 'sync', consumer: 'sync', processedAt: '2026-12-06T10:00:03.000Z' }),
      item({ traceId: 'abc' }),
      item({ service: 'inventory', consumer: 'inventory', processedAt: null, outcome: 'retrying' }),
      item({ webhookId: 'w2', acceptedAt: '2026-12-06T11:00:00.000Z' }),
    ]);
    expect(grouped.map((j) => j.webhookId)).toEqual(['w2', 'w1']);
    expect(grouped[1]!.consumers.map((c) => c.service)).toEqual(['order', 'sync', 'inventory']);
    expect(grouped[1]!.traceId).toBe('abc');
    expect(grouped[1]!.resourceId).toBe('9007199254740993');
  });

  it('names a service that does not serve deliveries yet, and pages the others', async () => {
    const page = await deliveriesPage({ shop: 'a.myshopify.com' }, undefined, 50, (service) =>
      Promise.resolve<Outcome<{ items: DeliveryItem[]; nextCursor: string | null }>>(
        service === 'order'
          ? { ok: true, data: { items: [item({})], nextCursor: 'c2' } }
          : { ok: false, kind: 'not-found', message: 'Cannot GET /deliveries' },
      ),
    );
    expect(page.journeys).toHaveLength(1);
    expect(page.notices.map((n) => [n.service, n.message])).toContainEqual([
      'sync',
      'does not serve GET /deliveries yet',
    ]);
    const asked: string[] = [];
    await deliveriesPage({ shop: 'a.myshopify.com' }, page.next!, 50, (service, query) => {
      asked.push(`${service}:${query.cursor}`);
      return Promise.resolve({ ok: true, data: { items: [], nextCursor: null } });
    });
    expect(asked).toEqual(['order:c2']);
  });
});
