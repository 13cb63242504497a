import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectServiceConfig } from '@shopwire/config';
import type { FastifyReply } from 'fastify';
import type { ConsoleConfig } from '../config';
import { OperatorToken } from '../session/operator-session';
import { Pages, queryValue } from '../session/pages';
import { untypedGet } from '../services/upstream';
import { deliveriesPage, type DeliveryItem, type DeliveryQuery } from './deliveries';

const PER_SERVICE = 50;
const FIELDS = ['shop', 'webhookId', 'resourceId', 'topic', 'from', 'to', 'outcome'] as const;
const OUTCOMES = ['applied', 'stale', 'duplicate', 'retrying', 'dead-lettered'] as const;

/**
 * Deliveries and their journey, from each consumer service's `GET /deliveries` (being built
 * beside this page). Behind `CONSOLE_DELIVERIES`: off, the page says the search is coming; on, a
 * service that does not answer the route yet (404) is named on the page.
 */
@ApiExcludeController()
@Controller('deliveries')
export class DeliveriesPageController {
  constructor(
    @InjectServiceConfig() private readonly config: ConsoleConfig,
    private readonly pages: Pages,
  ) {}

  @Get()
  async page(
    @Query() raw: Record<string, unknown>,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!this.config.CONSOLE_DELIVERIES) {
      return this.pages.render(reply, 'deliveries', 'deliveries', { enabled: false });
    }
    const query: DeliveryQuery = {};
    for (const field of FIELDS) query[field] = queryValue(raw[field]);
    const searched = Object.values(query).some(Boolean);
    const cursor = queryValue(raw.cursor);
    const page = searched
      ? await deliveriesPage(query, cursor, PER_SERVICE, (service, params) =>
          untypedGet<{ items: DeliveryItem[]; nextCursor: string | null }>(
            this.config,
            service,
            '/deliveries',
            params,
            token,
          ),
        )
      : null;
    const next = new URLSearchParams();
    for (const field of FIELDS) if (query[field]) next.set(field, query[field]);
    if (page?.next) next.set('cursor', page.next);
    return this.pages.render(reply, 'deliveries', 'deliveries', {
      enabled: true,
      query,
      outcomes: OUTCOMES,
      page,
      nextUrl: page?.next ? `/deliveries?${next.toString()}` : null,
    });
  }
}
