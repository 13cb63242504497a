import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ADMIN_CLOCK } from './admin-api.config';
import { AdminWebhooksService } from './bulk/admin-webhooks.service';
import { BulkOperationsService } from './bulk/bulk-operations.service';
import type { AdminContext } from './graphql/admin-context';
import type { Clock } from './shops/leaky-bucket';
import { AdminShopsService } from './shops/admin-shops.service';
import { WebhookSubscriptionStore } from '../installs/webhook-subscription-store';

/** Builds the per-request resolver context for a shop. */
@Injectable()
export class AdminContextFactory {
  constructor(
    private readonly shops: AdminShopsService,
    private readonly bulk: BulkOperationsService,
    private readonly webhooks: AdminWebhooksService,
    private readonly subscriptions: WebhookSubscriptionStore,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
  ) {}

  create(
    shop: string,
    apiVersion: string,
    request: Pick<FastifyRequest, 'protocol' | 'headers'>,
  ): AdminContext {
    const state = this.shops.get(shop);
    return {
      shop: state,
      store: state.store,
      apiVersion,
      baseUrl: `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`,
      now: () => new Date(this.clock()),
      bulk: this.bulk,
      changes: this.webhooks,
      subscriptions: this.subscriptions,
    };
  }
}
