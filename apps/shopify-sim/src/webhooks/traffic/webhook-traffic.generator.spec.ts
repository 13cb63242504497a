import { parseKeepingLargeIds, type JsonValue } from '../../../test/support/shopify-doc-checks';
import { WebhookTrafficGenerator, type WebhookEvent } from './webhook-traffic.generator';
import { WEBHOOK_TOPICS, type WebhookTopic } from './webhook-topics';

type Obj = { [key: string]: JsonValue };
const START = Date.parse('2026-11-27T10:00:00Z');
const TWO_53 = 2n ** 53n;
const SHOP = 'shopwire-demo.myshopify.com';

const body = (event: WebhookEvent) => parseKeepingLargeIds(event.body) as Obj;
const at = (seconds: number) => new Date(START + seconds * 1000);

function generator(seed: string | number = 'spec') {
  return new WebhookTrafficGenerator({ seed, shops: [SHOP, 'second-store.myshopify.com'] }, at(0));
}

/** Every 18-digit bare integer in a body: what the generators emit for ids. */
function bareBigIntegers(text: string): string[] {
  return [...text.matchAll(/[:[,](\d{16,})(?=[,}\]])/g)].map((m) => m[1]!);
}

describe('WebhookTrafficGenerator', () => {
  it('is deterministic: same seed and clock give the same bytes', () => {
    const run = () => {
      const g = generator(42);
      return Array.from({ length: 50 }, (_, i) =>
        g
          .next(at(i))
          .map((e) => e.body.toString('base64'))
          .join(),
      ).join();
    };
    expect(run()).toBe(run());
    const other = new WebhookTrafficGenerator(
      { seed: 43, shops: [SHOP, 'second-store.myshopify.com'] },
      at(0),
    );
    expect(other.next(at(0))[0]!.body.equals(generator(42).next(at(0))[0]!.body)).toBe(false);
  });

  it.each(
    WEBHOOK_TOPICS.filter(
      // Shop ids are small, and discount payloads carry only a gid.
      (t) => !['shop/redact', 'app/uninstalled', 'shop/update', 'discounts/update'].includes(t),
    ),
  )('%s writes ids above 2^53 verbatim, which JSON.parse would corrupt', (topic: WebhookTopic) => {
    const g = generator();
    g.nextOf('orders/create', at(0), SHOP);
    const [event] = g.nextOf(topic, at(10), SHOP);
    const text = event!.body.toString('utf8');
    const ids = bareBigIntegers(text);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(BigInt(id) > TWO_53).toBe(true);
    expect(text).toContain(event!.resourceId);
    // JSON.parse rounds every one of them; a lossless parse keeps the digits.
    const naive = JSON.stringify(JSON.parse(text));
    expect(bareBigIntegers(naive)).not.toEqual(ids);
    expect(JSON.stringify(parseKeepingLargeIds(text))).toContain(`"${ids[0]}"`);
  });

  it('writes REST-shaped orders: decimal-string money, *_set, line items from the catalog, customer data', () => {
    const g = generator();
    const [created] = g.nextOf('orders/create', at(0), SHOP);
    const order = body(created!);
    expect(order.admin_graphql_api_id).toBe(`gid://shopify/Order/${created!.resourceId}`);
    expect(order.name).toBe(`#${order.order_number}`);
    for (const field of ['total_price', 'subtotal_price', 'total_tax', 'total_discounts']) {
      expect(order[field]).toMatch(/^\d+\.\d{2}$/);
      const set = order[`${field}_set`] as Obj;
      expect((set.shop_money as Obj).amount).toBe(order[field]);
      expect((set.presentment_money as Obj).amount).toMatch(/^\d+\.\d{2}$/);
    }
    const items = order.line_items as Obj[];
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(typeof item.product_id).toBe('string'); // kept as a string by the lossless parser: > 2^53
      expect(typeof item.variant_id).toBe('string');
      expect(item.price).toMatch(/^\d+\.\d{2}$/);
      expect(item.sku).toBeTruthy();
    }
    const customer = order.customer as Obj;
    expect(customer.email).toMatch(/@example\.com$/);
    expect(customer.phone).toMatch(/^\+\d{10,12}$/);
    expect((order.shipping_address as Obj).address1).toBeTruthy();
    expect((order.billing_address as Obj).country_code).toMatch(/^[A-Z]{2}$/);
    expect(order.cancelled_at).toBeNull();
    expect(order.test).toBe(false);
    // Catalog consistency: a product update for a line item's product carries the same id.
    const catalogIds = new Set<string>();
    for (let i = 0; i < 200; i++)
      catalogIds.add(g.nextOf('products/update', at(i + 1), SHOP)[0]!.resourceId);
    expect(catalogIds.has(items[0]!.product_id as string)).toBe(true);
  });

  it('moves updated_at forward through create → updated → cancelled, even within the same second', () => {
    const g = new WebhookTrafficGenerator(
      { seed: 'lifecycle', shops: [SHOP], mix: { 'orders/create': 1 } },
      at(0),
    );
    const [created] = g.nextOf('orders/create', at(0));
    const [update1] = g.nextOf('orders/updated', at(0.2));
    const [update2] = g.nextOf('orders/updated', at(0.4));
    const cancelled = g.nextOf('orders/cancelled', at(0.6));
    const stamps = [created!, update1!, update2!, cancelled[0]!].map((e) =>
      Date.parse(body(e).updated_at as string),
    );
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!).toBeGreaterThan(stamps[i - 1]!);
    expect(new Set([created, update1, update2, cancelled[0]].map((e) => e!.resourceId)).size).toBe(
      1,
    );
    const cancel = body(cancelled[0]!);
    expect(cancel.cancelled_at).toBe(cancel.updated_at);
    expect(cancel.cancel_reason).toBeTruthy();
    expect(body(created!).created_at).toBe(cancel.created_at);
  });

  it('follows a cancellation with orders/updated under the same event id', () => {
    const g = generator();
    g.nextOf('orders/create', at(0), SHOP);
    const events = g.nextOf('orders/cancelled', at(5), SHOP);
    expect(events.map((e) => e.topic)).toEqual(['orders/cancelled', 'orders/updated']);
    expect(events[0]!.eventId).toBe(events[1]!.eventId);
    const other = g.nextOf('orders/create', at(6), SHOP);
    expect(other[0]!.eventId).not.toBe(events[0]!.eventId);
  });

  it('keeps typical order bodies around 2–4 KB', () => {
    const g = generator();
    const sizes = Array.from(
      { length: 300 },
      (_, i) => g.nextOf('orders/create', at(i))[0]!.body.length,
    ).sort((a, b) => a - b);
    const median = sizes[150]!;
    expect(median).toBeGreaterThan(2000);
    expect(median).toBeLessThan(4500);
  });

  it('writes inventory levels with the InventoryLevel GID form', () => {
    const inv = body(generator().nextOf('inventory_levels/update', at(1), SHOP)[0]!);
    expect(inv.admin_graphql_api_id).toBe(
      `gid://shopify/InventoryLevel/${inv.location_id}?inventory_item_id=${inv.inventory_item_id}`,
    );
    expect(typeof inv.available).toBe('number');
  });

  it('writes shop/update and discounts/update as Shopify does, a discount the Admin API also has', () => {
    const g = generator();
    const [shop] = g.nextOf('shop/update', at(0), SHOP);
    expect(JSON.parse(shop!.body.toString('utf8'))).toMatchObject({
      domain: SHOP,
      myshopify_domain: SHOP,
    });
    const [discount] = g.nextOf('discounts/update', at(1), SHOP);
    const body = JSON.parse(discount!.body.toString('utf8'));
    expect(body.admin_graphql_api_id).toMatch(
      /^gid:\/\/shopify\/Discount(Automatic|Code)Node\/\d{18}$/,
    );
    expect(discount!.resourceId).toBe(body.admin_graphql_api_id);
    expect(typeof body.title).toBe('string');
  });

  it('writes the compliance payload fields', () => {
    const g = generator();
    g.nextOf('orders/create', at(0), SHOP);
    const request = body(g.nextOf('customers/data_request', at(1), SHOP)[0]!);
    expect(request).toMatchObject({ shop_domain: SHOP });
    expect(Object.keys(request.customer as Obj).sort()).toEqual(['email', 'id', 'phone']);
    expect(Array.isArray(request.orders_requested)).toBe(true);
    expect((request.data_request as Obj).id).toEqual(expect.any(Number));
    const redact = body(g.nextOf('customers/redact', at(2), SHOP)[0]!);
    expect(Array.isArray(redact.orders_to_redact)).toBe(true);
    expect(body(g.nextOf('shop/redact', at(3), SHOP)[0]!)).toEqual({
      shop_id: expect.any(Number),
      shop_domain: SHOP,
    });
    expect(body(g.nextOf('app/uninstalled', at(4), SHOP)[0]!).myshopify_domain).toBe(SHOP);
  });

  it('follows the topic mix', () => {
    const g = new WebhookTrafficGenerator(
      { seed: 'mix', shops: [SHOP], mix: { 'products/update': 1, 'customers/create': 3 } },
      at(0),
    );
    const topics = Array.from({ length: 400 }, (_, i) => g.next(at(i))[0]!.topic);
    expect(new Set(topics)).toEqual(new Set(['products/update', 'customers/create']));
    const customers = topics.filter((t) => t === 'customers/create').length;
    expect(customers / 400).toBeGreaterThan(0.65);
  });
});
