import { shopifyWebhookHmac } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';

/** The erasure suite's customers, orders and messages (apps/pipeline-e2e/test/erasure.integration-spec.ts). */

export const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');

export interface Person {
  id: bigint;
  email: string;
  phone: string;
  first: string;
  last: string;
}

/** Two customers whose every identifying string is unique to this run. */
export function people(run: string): { person: Person; keeper: Person } {
  const id = 7100000000000000000n + BigInt(digits(12));
  return {
    person: {
      id,
      email: `erasure-${run}@example.com`,
      phone: `+1555${digits(7)}`,
      first: `Ada${run}`,
      last: `Erased${run}`,
    },
    keeper: {
      id: id + 1n,
      email: `keeper-${run}@example.com`,
      phone: `+1666${digits(7)}`,
      first: `Kay${run}`,
      last: `Kept${run}`,
    },
  };
}

/** What identifies a person: email, names, phone. */
export const needles = (p: Person) => [p.email, p.first, p.last, p.phone];

/** A REST-shaped order webhook body naming the person in the order, its customer and address. */
export function orderJson(
  id: bigint,
  p: Person,
  updatedAt: string,
  sku: string,
  extra = '',
): string {
  return (
    `{"id":${id},"admin_graphql_api_id":"gid://shopify/Order/${id}","name":"#${id % 10000n}",` +
    `"order_number":${id % 10000n},"email":"${p.email}","created_at":"2026-11-27T10:00:00Z",` +
    `"updated_at":"${updatedAt}","currency":"EUR","financial_status":"pending","fulfillment_status":null,` +
    `"total_price":"30.00","subtotal_price":"30.00","total_tax":"0.00","total_discounts":"0.00",` +
    `"cancelled_at":null,"cancel_reason":null,` +
    `"customer":{"id":${p.id},"email":"${p.email}","first_name":"${p.first}","last_name":"${p.last}","phone":"${p.phone}"},` +
    `"billing_address":{"first_name":"${p.first}","last_name":"${p.last}","phone":"${p.phone}"},` +
    `"line_items":[{"id":${id * 10n},"product_id":1,"variant_id":2,"sku":"${sku}","title":"Mug","quantity":1,"price":"30.00"}],"test":false${extra}}`
  );
}

/** An `orders.order.accepted.v1` event as the order service writes it, naming the person. */
export function acceptedEventJson(
  shop: string,
  orderId: bigint,
  person: Person,
  sku: string,
): string {
  return JSON.stringify({
    eventId: randomUUID(),
    type: 'orders.order.accepted',
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    shopDomain: shop,
    aggregateId: String(orderId),
    aggregateVersion: '2026-11-27T10:00:00.000Z',
    causationId: null,
    data: {
      order: {
        id: String(orderId),
        name: `#${orderId % 10000n}`,
        orderNumber: String(orderId % 10000n),
        email: person.email,
        customer: {
          id: String(person.id),
          email: person.email,
          firstName: person.first,
          lastName: person.last,
          phone: person.phone,
        },
        currency: 'EUR',
        financialStatus: 'paid',
        fulfillmentStatus: null,
        totalPrice: '30.00',
        subtotalPrice: '30.00',
        totalTax: '0.00',
        totalDiscounts: '0.00',
        createdAt: '2026-11-27T10:00:00Z',
        updatedAt: '2026-11-27T10:00:00Z',
        cancelledAt: null,
        cancelReason: null,
        test: false,
        lineItems: [
          {
            id: '1',
            productId: '1',
            variantId: '2',
            sku: sku,
            title: 'Mug',
            quantity: 1,
            price: '30.00',
          },
        ],
      },
    },
  });
}

/** A signed delivery to the gateway, as Shopify sends it; anything but 200 throws. */
export async function deliver(
  webhookUrl: string,
  shop: string,
  topic: string,
  body: string,
  secret: string,
  webhookId: string = randomUUID(),
): Promise<void> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': shopifyWebhookHmac(secret, Buffer.from(body)),
      'x-shopify-shop-domain': shop,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-api-version': '2026-01',
    },
    body,
  });
  if (response.status !== 200) throw new Error(`gateway answered ${response.status} to ${topic}`);
}
