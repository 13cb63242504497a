import { ShopifyKafkaTopic } from '@shopwire/contracts';
import {
  collectMessages,
  headerValue,
  testKafka,
  topicPositions,
  shopifyWebhookHmac,
} from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { startService } from './service-process';

/**
 * SIGTERM under load (what Kubernetes sends on every rollout): the gateway stops accepting,
 * answers what it has in flight once Kafka acknowledged it, flushes and exits 0. Every delivery
 * that got a 200 is in Kafka; the rest got an error Shopify retries. Its logs hold neither the
 * webhook secret nor any customer data from the payloads.
 */
const SECRET = 'shutdown-test-secret-value';
const SHOP = `shutdown-${randomUUID().slice(0, 8)}.myshopify.com`;

function body(i: number): Buffer {
  return Buffer.from(
    `{"id":${820982911946154508n + BigInt(i)},"email":"private.person@example.com","phone":"+15550001111",` +
      `"updated_at":"2026-11-27T10:00:00Z","customer":{"first_name":"Private","last_name":"Person"}}`,
  );
}

describe('gateway shutdown under load (separate process)', () => {
  it('acks only what is in Kafka, then exits cleanly without leaking secrets or PII to logs', async () => {
    const from = await topicPositions(testKafka(), ShopifyKafkaTopic.Orders);
    const gateway = await startService('gateway', 3320, {
      SHOPIFY_WEBHOOK_SECRETS: SECRET,
      LOG_LEVEL: 'debug',
    });
    const accepted = new Set<string>();
    let refused = 0;
    let stopping = false;
    let sequence = 0;

    const sender = async () => {
      while (true) {
        const payload = body(sequence++);
        const webhookId = randomUUID();
        try {
          const response = await fetch(`${gateway.url}/webhooks/shopify`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-shopify-topic': 'orders/updated',
              'x-shopify-hmac-sha256': shopifyWebhookHmac(SECRET, payload),
              'x-shopify-shop-domain': SHOP,
              'x-shopify-webhook-id': webhookId,
            },
            body: payload,
          });
          if (response.status === 200) accepted.add(webhookId);
          else refused++;
        } catch {
          refused++; // connection refused or reset: the process is going away
          if (stopping) return;
        }
        if (stopping && gateway.child.exitCode !== null) return;
      }
    };
    const senders = Array.from({ length: 16 }, () => sender());
    await new Promise((r) => setTimeout(r, 1500));
    stopping = true;
    const stopStarted = Date.now();
    const exitCode = await gateway.stop('SIGTERM');
    const stopMs = Date.now() - stopStarted;
    await Promise.all(senders);

    expect(exitCode).toBe(0);
    expect(accepted.size).toBeGreaterThan(50);

    const found = new Set<string>();
    await collectMessages(testKafka(), ShopifyKafkaTopic.Orders, {
      from,
      filter: (m) => {
        const id = headerValue(m, 'shopify-webhook-id') ?? '';
        if (accepted.has(id)) found.add(id);
        return accepted.has(id);
      },
      done: () => found.size >= accepted.size,
      timeoutMs: 30_000,
    });
    process.stdout.write(
      `shutdown: exit after ${stopMs} ms, accepted=${accepted.size} refused=${refused} found=${found.size}\n`,
    );
    // well inside Kubernetes' default 30 s grace period
    expect(stopMs).toBeLessThan(10_000);
    expect([...accepted].filter((id) => !found.has(id))).toEqual([]);

    const logs = gateway.output();
    expect(logs).toContain('Kafka producer flushed and closed');
    for (const secretOrPii of [SECRET, 'private.person@example.com', '+15550001111', 'Private']) {
      expect(logs).not.toContain(secretOrPii);
    }
  });
});
