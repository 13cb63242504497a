import { Injectable } from '@nestjs/common';
import { z } from '@shopwire/config';
import { enqueueOutbox } from '@shopwire/database';
import {
  JobFailedError,
  type JobCompletion,
  type JobContext,
  type JobHandler,
} from '@shopwire/jobs';
import { isJsonObject, type ShopifyJson } from '@shopwire/shopify';
import { adminCall, requireAdminAccess } from './admin-call';
import { backfillOrderMessage } from './backfill-envelope';
import { shopDomain } from './job-params';
import { SyncAdminClient } from '../admin-api/sync-admin-client';

export const orderBackfillParams = z
  .object({
    shop: shopDomain,
    /** Orders updated at or after this instant (ISO 8601 with a zone). */
    since: z.string().datetime({ offset: true, message: 'since must be an ISO 8601 date-time' }),
    /** Orders per Admin API page (and per step); Shopify's REST maximum is 250. */
    page_size: z.number().int().min(1).max(250).default(250),
  })
  .strict();

export type OrderBackfillParams = z.infer<typeof orderBackfillParams>;

/** Where a resumed backfill continues: the next page's cursor (null: the first page). */
export interface OrderBackfillCheckpoint {
  next: string | null;
  processed: number;
  total: number | null;
  pages: number;
  done: boolean;
}

const ORDERS_COUNT = `query BackfillCount($query: String!) {
  ordersCount(query: $query) { count precision }
}`;

/**
 * `order-backfill`: every order of a shop updated since T, fetched from the Admin API and fed
 * through the same idempotent path as webhooks — an `orders/updated` envelope on
 * `shopify.orders.v1`, keyed `<shop>/<order id>`, with a webhook id derived from (order id,
 * updated_at). Re-running it, or resuming it after a crash, publishes duplicates the order
 * service's inbox drops; its stale guard keeps a row newer than what the backfill read.
 *
 * Read through the REST `orders.json` list rather than GraphQL: its orders already have the
 * webhook payload's shape (the order service parses them unchanged), where GraphQL would need a
 * hand-written mapping of every field the order service reads. The REST bucket (40 calls, 2/s)
 * is no constraint at 250 orders per call, and the budgeted client paces it across replicas.
 *
 * Each page is one step: its envelopes go into `sync.outbox` in the same transaction as the
 * next page's cursor (the checkpoint), so a crash either commits both or neither.
 */
@Injectable()
export class OrderBackfillJob implements JobHandler<OrderBackfillParams, OrderBackfillCheckpoint> {
  readonly type = 'order-backfill';
  readonly params = orderBackfillParams;

  constructor(private readonly admin: SyncAdminClient) {}

  async run(
    context: JobContext<OrderBackfillParams, OrderBackfillCheckpoint>,
  ): Promise<JobCompletion> {
    const { shop, since, page_size: limit } = context.params;
    await requireAdminAccess(this.admin, shop);
    const client = this.admin.client;
    let state: OrderBackfillCheckpoint = context.checkpoint ?? {
      next: null,
      processed: 0,
      total: await this.count(shop, since, context.signal),
      pages: 0,
      done: false,
    };
    while (!state.done) {
      await context.pace();
      const reply = await adminCall(
        () =>
          client.rest(shop, {
            path: 'orders.json',
            // With page_info Shopify takes only limit: the filters travel inside the cursor.
            query:
              state.next === null
                ? { limit, status: 'any', updated_at_min: since }
                : { limit, page_info: state.next },
            priority: 'reporting',
          }),
        { signal: context.signal },
      );
      const orders = ordersOf(reply.body);
      const receivedAt = new Date();
      const messages = orders.map((order) =>
        backfillOrderMessage(shop, order, client.apiVersion, receivedAt),
      );
      const processed = state.processed + messages.length;
      const next: OrderBackfillCheckpoint = {
        next: reply.pageInfo.next,
        processed,
        // The count is a snapshot; orders updated during the run can add to it.
        total: state.total === null ? null : Math.max(state.total, processed),
        pages: state.pages + 1,
        done: reply.pageInfo.next === null,
      };
      await context.step(async ({ manager }) => {
        await enqueueOutbox(manager, messages);
        return {
          checkpoint: next,
          processed,
          total: next.done ? processed : (next.total ?? undefined),
        };
      });
      state = context.checkpoint ?? next;
    }
    return {
      contentType: 'application/json',
      summary: { orders: state.processed, pages: state.pages, since },
      tail: JSON.stringify({ shop, since, orders: state.processed, pages: state.pages }),
    };
  }

  private async count(shop: string, since: string, signal: AbortSignal): Promise<number | null> {
    const data = await adminCall(
      () =>
        this.admin.client.graphql<{ ordersCount: { count: number; precision: string } | null }>(
          shop,
          ORDERS_COUNT,
          { query: `updated_at:>='${new Date(since).toISOString()}'` },
          { priority: 'reporting' },
        ),
      { signal },
    );
    // AT_LEAST past Shopify's counting limit: a floor, raised as pages arrive.
    return data.ordersCount?.count ?? null;
  }
}

function ordersOf(body: ShopifyJson): ShopifyJson[] {
  if (!isJsonObject(body) || !Array.isArray(body.orders))
    throw new JobFailedError('orders.json answered without an orders list');
  return body.orders;
}
