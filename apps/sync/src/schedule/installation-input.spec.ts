import { DomainTopic, installationVersion } from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';
import { decodeSyncInput } from '../orders/sync-events';

const topic = DomainTopic.ShopInstallationChanged;
const message = (value: unknown): KafkaMessage =>
  ({
    key: Buffer.from('a.myshopify.com'),
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    offset: '7',
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaMessage;

const event = {
  eventId: 'e-1',
  type: 'installation.uninstalled',
  schemaVersion: 1,
  occurredAt: '2026-12-05T09:00:00.000Z',
  shopDomain: 'a.myshopify.com',
  aggregateId: 'a.myshopify.com',
  aggregateVersion: installationVersion(1, 3),
  causationId: null,
  data: { status: 'uninstalled', scopes: [], grantType: 'authorization_code', generation: 1 },
};

describe('installation events for the sync consumer', () => {
  it('decodes an installation change, keyed in the inbox by its event id', () => {
    expect(decodeSyncInput(topic, message(event))).toEqual({
      kind: 'installation',
      inboxId: 'e-1',
      topic,
      shopDomain: 'a.myshopify.com',
      event,
    });
  });

  it('rejects what is not one (counted and skipped by the consumer)', () => {
    expect(decodeSyncInput(topic, message('{'))).toMatchObject({ kind: 'rejected', offset: '7' });
    expect(
      decodeSyncInput(topic, message({ ...event, aggregateId: 'b.myshopify.com' })),
    ).toMatchObject({ kind: 'rejected' });
  });
});
