import {
  signedPerShopifyDocs,
  webhookHeadersPerShopifyDocs,
} from '../../../test/support/shopify-doc-checks';
import { createHmac } from 'node:crypto';
import { SeededRandom } from '../../random/seeded-random';
import type { WebhookEvent } from '../traffic/webhook-traffic.generator';
import { buildDelivery, chooseSigningKey } from './webhook-envelope';

const event: WebhookEvent = {
  topic: 'orders/create',
  shopDomain: 'shopwire-demo.myshopify.com',
  eventId: '11111111-2222-4333-8444-555555555555',
  triggeredAt: new Date('2026-11-27T10:00:00.123Z'),
  body: Buffer.from('{"id":820982911946154508,"total_price":"10.00"}'),
  resourceId: '820982911946154508',
};
const secrets = { current: 'current-secret', old: 'old-secret' };

describe('buildDelivery', () => {
  it('sends every header in both the X-Shopify- and the unprefixed form', () => {
    const { headers } = buildDelivery(event, 'wh-1', { apiVersion: '2026-10', secrets });
    const names = [
      'Topic',
      'Hmac-Sha256',
      'Shop-Domain',
      'API-Version',
      'Webhook-Id',
      'Event-Id',
      'Triggered-At',
    ];
    for (const name of names) {
      expect(headers[`X-Shopify-${name}`]).toBeTruthy();
      expect(headers[`shopify-${name.toLowerCase()}`]).toBe(headers[`X-Shopify-${name}`]);
    }
    expect(headers['X-Shopify-Webhook-Id']).toBe('wh-1');
    expect(headers['X-Shopify-Event-Id']).toBe(event.eventId);
    expect(headers['X-Shopify-Triggered-At']).toBe('2026-11-27T10:00:00.123Z');
    expect(headers['Content-Type']).toBe('application/json');
  });

  it('signs the exact body bytes the way Shopify does (HMAC-SHA256, base64)', () => {
    const delivery = buildDelivery(event, 'wh-1', { apiVersion: '2026-10', secrets });
    const expected = createHmac('sha256', 'current-secret').update(event.body).digest('base64');
    expect(delivery.headers['X-Shopify-Hmac-Sha256']).toBe(expected);
    expect(delivery.body).toBe(event.body);
    expect(
      signedPerShopifyDocs(delivery.body, delivery.headers['X-Shopify-Hmac-Sha256'], [
        'current-secret',
      ]),
    ).toBe(true);
  });

  it('matches a signature computed outside Node, so a shared misuse of node:crypto cannot hide', () => {
    // printf '%s' '{"id":820982911946154508,"total_price":"10.00"}' \
    //   | openssl dgst -sha256 -hmac shpss_known_answer -binary | base64
    const delivery = buildDelivery(event, 'wh-1', {
      apiVersion: '2026-10',
      secrets: { current: 'shpss_known_answer' },
    });
    expect(delivery.headers['X-Shopify-Hmac-Sha256']).toBe(
      'N+ihprqwQxUdBADTfUV0rjYY7UX5cq8gu0drgIjZP/M=',
    );
  });

  it('is read back by the gateway header reader from either set alone', () => {
    const { headers } = buildDelivery(event, 'wh-1', { apiVersion: '2026-10', secrets });
    const lower = (keep: (name: string) => boolean) =>
      Object.fromEntries(
        Object.entries(headers)
          .filter(([n]) => keep(n))
          .map(([n, v]) => [n.toLowerCase(), v]),
      );
    for (const set of [
      lower((n) => !n.startsWith('shopify-')),
      lower((n) => !n.startsWith('X-')),
    ]) {
      expect(webhookHeadersPerShopifyDocs(set)).toMatchObject({
        topic: 'orders/create',
        webhookId: 'wh-1',
        eventId: event.eventId,
      });
    }
  });

  it('can sign with the pre-rotation secret or a wrong one', () => {
    const old = buildDelivery(event, 'wh-2', { apiVersion: '2026-10', secrets, signWith: 'old' });
    expect(
      signedPerShopifyDocs(old.body, old.headers['X-Shopify-Hmac-Sha256'], ['current-secret']),
    ).toBe(false);
    expect(
      signedPerShopifyDocs(old.body, old.headers['X-Shopify-Hmac-Sha256'], [
        'current-secret',
        'old-secret',
      ]),
    ).toBe(true);
    const wrong = buildDelivery(event, 'wh-3', {
      apiVersion: '2026-10',
      secrets,
      signWith: 'wrong',
    });
    expect(
      signedPerShopifyDocs(wrong.body, wrong.headers['X-Shopify-Hmac-Sha256'], [
        'current-secret',
        'old-secret',
      ]),
    ).toBe(false);
  });

  it('chooses signing keys in the configured proportions', () => {
    const rng = new SeededRandom('keys');
    const counts = { current: 0, old: 0, wrong: 0 };
    for (let i = 0; i < 10_000; i++) counts[chooseSigningKey(rng, 0.2, 0.1)]++;
    expect(counts.old / 10_000).toBeCloseTo(0.2, 1);
    expect(counts.wrong / 10_000).toBeCloseTo(0.1, 1);
  });
});
