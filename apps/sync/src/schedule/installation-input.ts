import {
  decodeShopInstallationChanged,
  type ShopInstallationChangedEvent,
} from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';

/** An installation change for the sync consumer to apply (the scheduled set, the shop's jobs). */
export interface InstallationInput {
  kind: 'installation';
  inboxId: string;
  topic: string;
  shopDomain: string;
  event: ShopInstallationChangedEvent;
}

/** One `shops.installation.changed.v1` message, or null when it is not a valid event (pure). */
export function decodeInstallationInput(
  topic: string,
  message: KafkaMessage,
): InstallationInput | null {
  const decoded = decodeShopInstallationChanged(message.value);
  if (!decoded.ok) return null;
  const event = decoded.value;
  return {
    kind: 'installation',
    inboxId: event.eventId,
    topic,
    shopDomain: event.shopDomain,
    event,
  };
}
