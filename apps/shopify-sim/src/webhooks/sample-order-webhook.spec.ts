import { parseKeepingLargeIds, signedPerShopifyDocs } from '../../test/support/shopify-doc-checks';
import { sampleOrderWebhook } from './sample-order-webhook';

describe('sampleOrderWebhook', () => {
  it('returns a signed orders/create of about 4 KB', () => {
    const { body, headers } = sampleOrderWebhook(1, { secret: 'bench-secret' });
    expect(body.length).toBeGreaterThan(3500);
    expect(body.length).toBeLessThan(5000);
    expect(headers['X-Shopify-Topic']).toBe('orders/create');
    expect(signedPerShopifyDocs(body, headers['X-Shopify-Hmac-Sha256'], ['bench-secret'])).toBe(
      true,
    );
    const order = parseKeepingLargeIds(body) as { id: string };
    expect(body.toString()).toContain(`"id":${order.id},`);
    expect(BigInt(order.id) > 2n ** 53n).toBe(true);
  });

  it('is deterministic per seed and distinct across seeds', () => {
    const a = sampleOrderWebhook('a', { secret: 's' });
    expect(sampleOrderWebhook('a', { secret: 's' }).body.equals(a.body)).toBe(true);
    const b = sampleOrderWebhook('b', { secret: 's' });
    expect(b.body.equals(a.body)).toBe(false);
    expect(b.headers['X-Shopify-Webhook-Id']).not.toBe(a.headers['X-Shopify-Webhook-Id']);
  });
});
