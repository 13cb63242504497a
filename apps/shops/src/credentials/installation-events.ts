import {
  DomainEventHeader,
  DomainTopic,
  installationVersion,
  type ShopInstallationChangedEvent,
  type ShopInstallationEventType,
} from '@shopwire/contracts';
import type { OutboxMessage } from '@shopwire/database';
import { randomUUID } from 'node:crypto';
import type { InstallationRow } from './credentials.repository';

/**
 * The outbox message announcing `installation`'s state after a change, keyed by the shop so one
 * shop's events stay in order. Built from the row as updated in the same transaction (its
 * revision is the event's version). Carries no token by construction: the row has none.
 */
export function installationChanged(
  type: ShopInstallationEventType,
  installation: InstallationRow,
  causationId: string | null = null,
): OutboxMessage {
  const event: ShopInstallationChangedEvent = {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    shopDomain: installation.shop,
    aggregateId: installation.shop,
    aggregateVersion: installationVersion(installation.generation, installation.revision),
    causationId,
    data: {
      status: installation.status,
      scopes: installation.scopes,
      grantType: installation.grantType,
      generation: installation.generation,
    },
  };
  return {
    topic: DomainTopic.ShopInstallationChanged,
    key: installation.shop,
    value: JSON.stringify(event),
    headers: {
      [DomainEventHeader.EventId]: event.eventId,
      [DomainEventHeader.EventType]: type,
      ...(causationId ? { [DomainEventHeader.CausationId]: causationId } : {}),
      [DomainEventHeader.ContentType]: 'application/json',
    },
  };
}
