import { decodeWebhookMessage } from '@shopwire/contracts';
import { parseShopifyJson } from '@shopwire/shopify';
import { backfillOrderMessage, backfillWebhookId, BackfillOrderError } from './backfill-envelope';
import { orderBackfillParams } from './order-backfill.job';

const SHOP = 'acme.myshopify.com';
const ORDER_TEXT =
  '{"id":820982911946154508,"updated_at":"2026-11-20T10:00:00-05:00","line_items":[{"id":866550311766439020,"quantity":2}],"total_price":"10.00"}';

describe('backfillOrderMessage', () => {
  const message = backfillOrderMessage(
    SHOP,
    parseShopifyJson(ORDER_TEXT),
    '2026-01',
    new Date('2026-11-27T00:00:00Z'),
  );

  it('is the envelope the gateway writes for orders/updated, keyed <shop>/<order id>', () => {
    expect(message.topic).toBe('shopify.orders.v1');
    expect(message.key).toBe(`${SHOP}/820982911946154508`);
    const decoded = decodeWebhookMessage({
      value: Buffer.from(message.value as string),
      headers: message.headers,
    });
    if (!decoded.ok) throw new Error(decoded.detail);
    const envelope = decoded.value;
    expect(envelope).toMatchObject({
      webhookId: 'backfill-820982911946154508-2026-11-20T10:00:00-05:00',
      shopifyTopic: 'orders/updated',
      shopDomain: SHOP,
      apiVersion: '2026-01',
    });
  });

  it('keeps ids above 2^53 exact in the payload', () => {
    const payload = parseShopifyJson(message.value as string) as Record<string, unknown>;
    expect(payload.id).toBe('820982911946154508');
    expect((payload.line_items as { id: string }[])[0]!.id).toBe('866550311766439020');
    expect(payload.total_price).toBe('10.00');
  });

  it('derives the same webhook id for the same order state, a new one for a newer state', () => {
    expect(backfillWebhookId('1', 'a')).toBe(backfillWebhookId('1', 'a'));
    expect(backfillWebhookId('1', 'a')).not.toBe(backfillWebhookId('1', 'b'));
  });

  it('refuses an order without an id or updated_at', () => {
    const at = new Date();
    expect(() =>
      backfillOrderMessage(SHOP, { updated_at: '2026-11-20T10:00:00Z' }, 'v', at),
    ).toThrow(BackfillOrderError);
    expect(() => backfillOrderMessage(SHOP, { id: '5', updated_at: 'soon' }, 'v', at)).toThrow(
      BackfillOrderError,
    );
  });
});

describe('order-backfill params', () => {
  it('needs a *.myshopify.com shop and an ISO date-time, page size up to 250', () => {
    expect(orderBackfillParams.parse({ shop: SHOP, since: '2026-11-01T00:00:00Z' }).page_size).toBe(
      250,
    );
    expect(
      orderBackfillParams.safeParse({ shop: 'acme.com', since: '2026-11-01T00:00:00Z' }).success,
    ).toBe(false);
    expect(orderBackfillParams.safeParse({ shop: SHOP, since: 'yesterday' }).success).toBe(false);
    expect(
      orderBackfillParams.safeParse({ shop: SHOP, since: '2026-11-01T00:00:00Z', page_size: 251 })
        .success,
    ).toBe(false);
  });
});
