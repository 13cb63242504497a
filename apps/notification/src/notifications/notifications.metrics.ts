import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';

/**
 * The notification service's own series. The consumer's (processed, handler duration, retries,
 * lag, ignored and rejected by reason) are the transport's
 * `shopwire_consumer_*{group="notification"}`; the sender's (`shopwire_outbound_*{queue="email"}`)
 * and the breaker gauge come from libs/outbound-delivery and libs/resilience.
 */
@Injectable()
export class NotificationsMetrics {
  readonly intents: Counter<'template' | 'status'>;
  readonly duplicates: Counter<'topic'>;
  readonly databaseRejected: Counter<'topic'>;
  readonly privacy: Counter<'action'>;

  constructor(@Inject(METRICS_REGISTRY) readonly registry: Registry) {
    const registers = [registry];
    this.intents = new Counter({
      name: 'shopwire_notification_intents_total',
      help: 'Email intents recorded, by template and initial status',
      labelNames: ['template', 'status'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'shopwire_notification_duplicate_events_total',
      help: 'Events skipped because their id was already in the inbox',
      labelNames: ['topic'],
      registers,
    });
    this.databaseRejected = new Counter({
      name: 'shopwire_notification_database_rejected_total',
      help: 'Events the database refused (a data error in their savepoint), skipped and logged',
      labelNames: ['topic'],
      registers,
    });
    this.privacy = new Counter({
      name: 'shopwire_notification_privacy_requests_total',
      help: 'Compliance webhooks applied (redact, data request, uninstall)',
      labelNames: ['action'],
      registers,
    });
  }
}
