import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ConsoleServices } from '../services/console-services';
import { OperatorToken } from '../session/operator-session';
import { Pages, queryValue } from '../session/pages';
import {
  deliveriesPage,
  orderEffects,
  orderIdByName,
  typedDeliveriesFetch,
  type DeliveriesPage,
  type DeliveryQuery,
} from './deliveries';

const PER_SERVICE = 50;
const FIELDS = ['shop', 'webhookId', 'resourceId', 'topic', 'from', 'to', 'outcome'] as const;
// `duplicate` filters deliveries whose message came again after it was applied; it is a filter,
// not an outcome a row carries (rows count duplicates in duplicateCount).
const OUTCOMES = ['applied', 'stale', 'duplicate', 'retrying', 'dead-lettered'] as const;
const WEBHOOK_ID = /^[A-Za-z0-9._:-]{1,255}$/;

/** A datetime-local value ("2026-12-06T05:00") is the operator's UTC; the API wants ISO 8601. */
function isoTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/**
 * Deliveries and their journey, from each consumer service's `GET /deliveries` (the delivery
 * journal, ADR 0011) through the typed clients, as the operator: each service decides what the
 * credential may see, and a refusal is shown on the page as the service's reason.
 */
@ApiExcludeController()
@Controller('deliveries')
export class DeliveriesPageController {
  constructor(
    private readonly services: ConsoleServices,
    private readonly pages: Pages,
  ) {}

  @Get()
  async page(
    @Query() raw: Record<string, unknown>,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const query: DeliveryQuery = {};
    for (const field of FIELDS) query[field] = queryValue(raw[field]);
    query.shop = query.shop?.toLowerCase();
    const orderName = queryValue(raw.orderName);
    const searched = Boolean(orderName) || Object.values(query).some(Boolean);
    const cursor = queryValue(raw.cursor);
    const clients = this.services.as(token);
    let page: DeliveriesPage | null = null;
    let problem: string | null = null;
    if (orderName && !query.shop) {
      problem = 'An order name is only unique within a shop: give the shop too.';
    } else if (searched) {
      let resolved = true;
      if (orderName) {
        const found = await orderIdByName(clients, query.shop!, orderName);
        if (!found.ok) {
          page = {
            journeys: [],
            notices: [{ service: 'order', kind: found.kind, message: found.message }],
            next: null,
          };
          resolved = false;
        } else if (found.data === null) {
          problem = `No order named ${orderName} in ${query.shop}.`;
          resolved = false;
        } else query.resourceId = found.data;
      }
      if (resolved)
        page = await deliveriesPage(
          { ...query, from: isoTime(query.from), to: isoTime(query.to) },
          cursor,
          PER_SERVICE,
          typedDeliveriesFetch(clients),
        );
    }
    const next = new URLSearchParams();
    for (const field of FIELDS) if (query[field]) next.set(field, query[field]);
    if (orderName) next.set('orderName', orderName);
    if (page?.next) next.set('cursor', page.next);
    return this.pages.render(reply, 'deliveries', 'deliveries', {
      query: { ...query, orderName },
      outcomes: OUTCOMES,
      page,
      problem,
      nextUrl: page?.next ? `/deliveries?${next.toString()}` : null,
    });
  }

  /** One webhook's journey: accepted at the gateway, each consumer group, and its effects. */
  @Get(':webhookId')
  async journey(
    @Param('webhookId') webhookId: string,
    @Query() raw: Record<string, unknown>,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!WEBHOOK_ID.test(webhookId)) {
      return this.pages.render(
        reply,
        'message',
        'deliveries',
        { title: 'Delivery', text: 'No such webhook id.' },
        404,
      );
    }
    const shop = queryValue(raw.shop)?.toLowerCase();
    const clients = this.services.as(token);
    // A webhook's rows are few (one per consumer group and caused event): the first page of each
    // service holds them all.
    const page = await deliveriesPage(
      { webhookId, shop },
      undefined,
      200,
      typedDeliveriesFetch(clients),
    );
    const journey = page.journeys.find((j) => j.webhookId === webhookId) ?? null;
    const orderRow = journey?.consumers.find(
      (c) => c.kafka.topic === 'shopify.orders.v1' && c.resourceId,
    );
    const effects =
      journey?.shop && orderRow?.resourceId
        ? await orderEffects(clients, journey.shop, orderRow.resourceId)
        : null;
    return this.pages.render(reply, 'delivery', 'deliveries', {
      webhookId,
      journey,
      notices: page.notices,
      effects,
      orderId: orderRow?.resourceId ?? null,
    });
  }
}
