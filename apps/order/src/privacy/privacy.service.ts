import { Inject, Injectable } from '@nestjs/common';
import {
  decodePrivacyMessage,
  decodeWebhookMessage,
  isPrivacyWebhookTopic,
  type PrivacyWebhook,
  type WebhookEnvelope,
} from '@shopwire/contracts';
import { claimInbox, isDataError, withSavepoint, withTransaction } from '@shopwire/database';
import { Counter, type Logger, type Registry } from '@shopwire/observability';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { ConsumerChunk } from '@shopwire/kafka';
import type { KafkaMessage } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { ORDER_DATA_SOURCE } from '../database/order-data-source';
import { ORDER_LOGGER } from '../order.tokens';
import { OrderTombstones } from './order-tombstones';
import { PrivacyRepository } from './privacy.repository';

/** The inbox's consumer name for compliance webhooks. */
export const COMPLIANCE_INBOX_CONSUMER = 'order.shopify-compliance';

interface PrivacyTask {
  envelope: WebhookEnvelope;
  /** Decoded and checked to name the envelope's shop by the contracts' `decodePrivacyMessage`. */
  request: PrivacyWebhook;
}

type Outcome = 'done' | 'duplicate' | 'rejected';

/**
 * Privacy for the order service's data, from `shopify.compliance.v1`: customers/redact and
 * shop/redact erase personal data (orders, unpublished and retained outbox events, exports;
 * customers/redact also leaves a tombstone, `OrderTombstones`),
 * customers/data_request stores an export, app/uninstalled marks the shop inactive. Each request
 * is applied once (inbox) and logged in `orders.privacy_requests` without the personal data.
 *
 * Orders of an inactive shop are still recorded: Shopify sends shop/redact 48 hours after the
 * uninstall, and until then a late order webhook is a true fact about the shop (reinstalling
 * within that window must find its orders complete). shop/redact then erases them all.
 */
@Injectable()
export class PrivacyService {
  private readonly handled: Counter<'kind' | 'outcome'>;

  constructor(
    @Inject(ORDER_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly repository: PrivacyRepository,
    private readonly tombstones: OrderTombstones,
    @Inject(ORDER_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.handled = new Counter({
      name: 'shopwire_order_privacy_requests_total',
      help: 'Compliance webhooks handled by the order service',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
  }

  /** One chunk of the compliance topic, in one transaction. */
  async handleChunk(messages: KafkaMessage[], context: ConsumerChunk): Promise<void> {
    const tasks: PrivacyTask[] = [];
    for (const message of messages) {
      const task = this.decode(message, context);
      if (task) tasks.push(task);
    }
    if (tasks.length === 0) return;
    const outcomes = await withTransaction(this.dataSource, async (manager) => {
      const results: Outcome[] = [];
      for (const task of tasks) results.push(await this.apply(manager, task));
      return results;
    });
    outcomes.forEach((outcome, i) => this.handled.inc({ kind: tasks[i].request.topic, outcome }));
  }

  private decode(message: KafkaMessage, context: ConsumerChunk): PrivacyTask | null {
    // A compliance request that cannot be read is kept in the DLQ (with why) for a person to
    // act on — a redact must not vanish because its body was malformed.
    const skip = (envelope: WebhookEnvelope | null, reason: string, detail: string) =>
      this.skip(message, context, envelope, reason, detail);
    const decoded = decodeWebhookMessage(message);
    if (!decoded.ok) {
      skip(null, decoded.reason, decoded.detail);
      return null;
    }
    const envelope = decoded.value;
    if (!isPrivacyWebhookTopic(envelope.shopifyTopic)) return null;
    const request = decodePrivacyMessage(envelope);
    if (!request.ok) {
      skip(envelope, request.reason, request.detail);
      return null;
    }
    return { envelope, request: request.value };
  }

  private skip(
    message: KafkaMessage,
    context: ConsumerChunk,
    envelope: WebhookEnvelope | null,
    reason: string,
    detail: string,
  ): void {
    this.handled.inc({ kind: envelope?.shopifyTopic ?? 'unknown', outcome: 'rejected' });
    const parked = context.rejected(message, reason, detail);
    this.logger.warn(
      {
        offset: message.offset,
        webhookId: envelope?.webhookId,
        shopifyTopic: envelope?.shopifyTopic,
        detail,
      },
      parked
        ? 'compliance message cannot be acted on; dead-lettered'
        : 'compliance message cannot be acted on; skipped',
    );
  }

  private async apply(manager: EntityManager, task: PrivacyTask): Promise<Outcome> {
    const { envelope } = task;
    try {
      return await withSavepoint(manager, 'privacy_request', async () => {
        if (!(await claimInbox(manager, COMPLIANCE_INBOX_CONSUMER, envelope.webhookId))) {
          return 'duplicate';
        }
        await this.perform(manager, task);
        return 'done';
      });
    } catch (error) {
      if (!isDataError(error)) throw error;
      this.logger.warn(
        {
          webhookId: envelope.webhookId,
          shopifyTopic: envelope.shopifyTopic,
          code: (error as { code?: string }).code,
        },
        'compliance request rejected by the database; skipped',
      );
      return 'rejected';
    }
  }

  private async perform(manager: EntityManager, { envelope, request }: PrivacyTask): Promise<void> {
    const shop = envelope.shopDomain;
    let rowsAffected = 0;
    let customerId: string | null = null;
    let dataRequestId: string | null = null;
    switch (request.topic) {
      case 'customers/redact':
        customerId = request.customer.id;
        rowsAffected = await this.repository.redactCustomer(
          manager,
          shop,
          request.customer,
          request.ordersToRedact,
        );
        // Whatever names this customer later (a retry, a DLQ replay, a backfill) is stored
        // without personal data: see OrdersService.apply.
        await this.tombstones.record(
          manager,
          shop,
          { customerId: request.customer.id, email: request.customer.email },
          envelope.webhookId,
        );
        break;
      case 'shop/redact':
        rowsAffected = await this.repository.redactShop(manager, shop, request.shopId);
        break;
      case 'customers/data_request': {
        customerId = request.customer.id;
        dataRequestId = request.dataRequestId;
        const orders = await this.repository.customerOrders(
          manager,
          shop,
          request.customer,
          request.ordersRequested,
        );
        await this.repository.insertExport(manager, {
          id: randomUUID(),
          shopDomain: shop,
          customerId,
          dataRequestId,
          webhookId: envelope.webhookId,
          orderCount: orders.length,
          export: {
            service: 'order',
            shop_domain: shop,
            customer: { id: customerId, email: request.customer.email },
            data_request_id: dataRequestId,
            generated_at: new Date().toISOString(),
            orders,
          },
        });
        rowsAffected = orders.length;
        break;
      }
      case 'app/uninstalled':
        await this.repository.markUninstalled(manager, shop, request.shopId, envelope.receivedAt);
        rowsAffected = 1;
        break;
    }
    await this.repository.recordRequest(manager, {
      kind: request.topic,
      shopDomain: shop,
      shopId: request.shopId,
      customerId,
      dataRequestId,
      webhookId: envelope.webhookId,
      receivedAt: envelope.receivedAt,
      rowsAffected,
    });
    this.logger.info(
      { kind: request.topic, shopDomain: shop, webhookId: envelope.webhookId, rowsAffected },
      'privacy request applied',
    );
  }
}
