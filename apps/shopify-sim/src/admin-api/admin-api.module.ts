import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@shopwire/config';
import { ADMIN_API_CONFIG, ADMIN_CLOCK, adminApiConfigSchema } from './admin-api.config';
import { AdminContextFactory } from './admin-context.factory';
import { AdminGate } from './admin-gate.service';
import { AdminMetrics } from './admin-metrics';
import { AdminWebhooksService } from './bulk/admin-webhooks.service';
import { BulkOperationsService } from './bulk/bulk-operations.service';
import { AdminControlController } from './control/admin-control.controller';
import { AdminFaultsService } from './faults/admin-faults.service';
import { AdminGraphqlController } from './graphql/admin-graphql.controller';
import { AdminGraphqlService } from './graphql/admin-graphql.service';
import { AdminRestController } from './rest/admin-rest.controller';
import { AdminShopsService } from './shops/admin-shops.service';
import { InstallsModule } from '../installs/installs.module';

/**
 * Shopify's Admin API as the simulator serves it: GraphQL with calculated query cost and
 * per-plan throttling, bulk query operations, a legacy REST subset with its 40-request bucket,
 * fault injection, and `/sim/admin/*` to steer it. Shops and their data live in memory.
 */
@Module({
  imports: [InstallsModule],
  controllers: [AdminGraphqlController, AdminRestController, AdminControlController],
  providers: [
    { provide: ADMIN_API_CONFIG, useFactory: () => loadConfig(adminApiConfigSchema) },
    { provide: ADMIN_CLOCK, useValue: () => Date.now() },
    AdminShopsService,
    AdminFaultsService,
    AdminMetrics,
    AdminGate,
    AdminGraphqlService,
    AdminWebhooksService,
    BulkOperationsService,
    AdminContextFactory,
  ],
  exports: [AdminShopsService, BulkOperationsService],
})
export class AdminApiModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * Shopify also takes a bare query with `Content-Type: application/graphql`; it reaches the
   * GraphQL controller as `{ query }`. (Registered on the app's Fastify instance before it listens.)
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasContentTypeParser('application/graphql')) return;
    fastify.addContentTypeParser(
      'application/graphql',
      { parseAs: 'string' },
      (_request, body, done) => done(null, { query: body }),
    );
  }
}
