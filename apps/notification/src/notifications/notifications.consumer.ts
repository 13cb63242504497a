import { Controller, Inject } from '@nestjs/common';
import { ConsumerGroup, SUBSCRIPTIONS } from '@shopwire/contracts';
import { ConsumeChunks, type ConsumerChunk } from '@shopwire/kafka';
import type { Logger } from '@shopwire/observability';
import type { KafkaMessage } from 'kafkajs';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { NotificationConfig } from '../config';
import { NotificationDispatcher } from './notification-dispatcher';
import { decodeNotificationInput } from './notification-events';
import { NotificationsService } from './notifications.service';

/**
 * Reads the notification group's subscriptions (order events, low stock, compliance) on the
 * service's consumer transport: a chunk's intents and privacy effects in one transaction, then
 * the dispatcher is woken. A message that is not a valid event goes to the DLQ with the reason
 * once the rest has committed; it is logged by offset and reason only, never its value.
 */
@Controller()
export class NotificationsConsumer {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly service: NotificationsService,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  // Bounded retries, then the retry topic and the DLQ (docs/adr/0002); outages wait in place.
  // Group id, concurrency and chunk size: CoreModule's config.
  @ConsumeChunks({ group: ConsumerGroup.Notification, topics: [...SUBSCRIPTIONS.notification] })
  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    const inputs = messages.map((m) =>
      decodeNotificationInput(chunk.topic, m, (shop) => this.merchantEmail(shop)),
    );
    const applicable = inputs.flatMap((i) =>
      i.kind === 'email' || i.kind === 'privacy' ? [i] : [],
    );
    if (applicable.length > 0 && (await this.service.apply(applicable))) this.dispatcher.wake();
    for (const [index, input] of inputs.entries()) {
      if (input.kind === 'ignored') chunk.ignored(input.reason);
      else if (input.kind === 'rejected') {
        // To the DLQ with the reason once the rest has committed, rather than gone without a trace.
        const parked = chunk.rejected(messages[index], input.reason, input.detail);
        this.logger.warn(
          {
            topic: chunk.topic,
            partition: chunk.partition,
            offset: input.offset,
            reason: input.reason,
          },
          parked
            ? 'message is not a valid event; dead-lettered'
            : 'message is not a valid event; skipped',
        );
      }
    }
  }

  private merchantEmail(shopDomain: string): string | null {
    return (
      this.config.MERCHANT_EMAILS.get(shopDomain.toLowerCase()) ??
      this.config.MERCHANT_DEFAULT_EMAIL ??
      null
    );
  }
}
