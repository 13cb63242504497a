import { Injectable } from '@nestjs/common';
import { z } from '@shopwire/config';
import { enqueueOutbox } from '@shopwire/database';
import {
  JobFailedError,
  type JobCompletion,
  type JobContext,
  type JobHandler,
} from '@shopwire/jobs';
import { shopifyId } from '@shopwire/shopify';
import { adminCall, requireAdminAccess } from './admin-call';
import { compareLevels, correctionMessage, levelKey, type ShopifyLevel } from './inventory-drift';
import { InventoryLevelsClient, type ServiceLevel } from './inventory-levels.client';
import { shopDomain } from './job-params';
import { SyncAdminClient } from '../admin-api/sync-admin-client';

export const inventoryReconcileParams = z
  .object({
    shop: shopDomain,
    /** Inventory items per Admin API page (and per step); 25 keeps a page near 700 points. */
    page_size: z.number().int().min(1).max(50).default(25),
    /** false: report the drift only, emit no corrections. */
    correct: z.boolean().default(true),
  })
  .strict();

export type InventoryReconcileParams = z.infer<typeof inventoryReconcileParams>;

export interface InventoryReconcileCheckpoint {
  after: string | null;
  done: boolean;
  items: number;
  levels: number;
  matching: number;
  missing: number;
  differs: number;
  corrections: number;
  total: number | null;
}

/** Levels per item read in one page; a shop with more locations than this is refused. */
const LEVELS_PER_ITEM = 8;

const LOCATIONS = `query ReconcileLocations { locations(first: 50) { edges { node { legacyResourceId } } } }`;
const ITEMS = `query ReconcileItems($first: Int!, $after: String) {
  inventoryItems(first: $first, after: $after) {
    edges {
      node {
        legacyResourceId
        inventoryLevels(first: ${LEVELS_PER_ITEM}) {
          edges { node { updatedAt quantities(names: ["available"]) { quantity } location { legacyResourceId } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface ItemsPage {
  inventoryItems: {
    edges: {
      node: {
        legacyResourceId: string | number;
        inventoryLevels: {
          edges: {
            node: {
              updatedAt: string;
              quantities: { quantity: number }[];
              location: { legacyResourceId: string | number };
            };
          }[];
        };
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/**
 * `inventory-reconcile`: Shopify's inventory levels (GraphQL `inventoryItems` with their levels,
 * through the budgeted client) against the inventory service's (its REST API, read once per run
 * into memory: a level is ~100 bytes, so a 100,000-level shop is ~10 MB). A level missing there
 * or with another `available` is drift: reported in the job's output (one JSON line per level)
 * and, unless `correct: false`, corrected by an `inventory_levels/update` envelope written to
 * `sync.outbox` in the same step as the page's checkpoint.
 *
 * Levels the inventory service holds that Shopify does not list are counted (`extra`), never
 * deleted: the service ignores `inventory_levels/disconnect` today.
 */
@Injectable()
export class InventoryReconcileJob implements JobHandler<
  InventoryReconcileParams,
  InventoryReconcileCheckpoint
> {
  readonly type = 'inventory-reconcile';
  readonly params = inventoryReconcileParams;

  constructor(
    private readonly admin: SyncAdminClient,
    private readonly inventory: InventoryLevelsClient,
  ) {}

  async run(
    context: JobContext<InventoryReconcileParams, InventoryReconcileCheckpoint>,
  ): Promise<JobCompletion> {
    const { shop, page_size: first, correct } = context.params;
    await requireAdminAccess(this.admin, shop);
    if (!this.inventory.configured)
      throw new JobFailedError('INVENTORY_API_TOKEN is not configured');
    const client = this.admin.client;

    const locations = await adminCall(
      () =>
        client.graphql<{ locations: { edges: { node: { legacyResourceId: string | number } }[] } }>(
          shop,
          LOCATIONS,
          undefined,
          { priority: 'reporting' },
        ),
      { signal: context.signal },
    );
    const locationIds = locations.locations.edges.map((e) => shopifyId(e.node.legacyResourceId)!);
    if (locationIds.length > LEVELS_PER_ITEM)
      throw new JobFailedError(`more than ${LEVELS_PER_ITEM} locations are not reconciled yet`);
    const held = new Map<string, ServiceLevel>();
    for (const location of locationIds)
      for (const level of await this.inventory.levelsAt(shop, location))
        held.set(levelKey(level.inventoryItemId, level.locationId), level);

    let state: InventoryReconcileCheckpoint = context.checkpoint ?? {
      after: null,
      done: false,
      items: 0,
      levels: 0,
      matching: 0,
      missing: 0,
      differs: 0,
      corrections: 0,
      total: null,
    };
    while (!state.done) {
      await context.pace();
      const page = await adminCall(
        () =>
          client.graphql<ItemsPage>(
            shop,
            ITEMS,
            { first, after: state.after },
            { priority: 'reporting' },
          ),
        { signal: context.signal },
      );
      const items = page.inventoryItems.edges.map((e) => e.node);
      const levels: ShopifyLevel[] = items.flatMap((item) =>
        item.inventoryLevels.edges.map(({ node }) => ({
          inventoryItemId: shopifyId(item.legacyResourceId)!,
          locationId: shopifyId(node.location.legacyResourceId)!,
          available: node.quantities[0]?.quantity ?? 0,
          updatedAt: node.updatedAt,
        })),
      );
      const { drifts, matching } = compareLevels(levels, held);
      const receivedAt = new Date();
      const corrections = correct
        ? drifts.map((d) => correctionMessage(shop, d.level, receivedAt))
        : [];
      const { hasNextPage, endCursor } = page.inventoryItems.pageInfo;
      const next: InventoryReconcileCheckpoint = {
        after: endCursor,
        done: !hasNextPage,
        items: state.items + items.length,
        levels: state.levels + levels.length,
        matching: state.matching + matching,
        missing: state.missing + drifts.filter((d) => d.kind === 'missing').length,
        differs: state.differs + drifts.filter((d) => d.kind === 'differs').length,
        corrections: state.corrections + corrections.length,
        total: null,
      };
      await context.step(async ({ manager, appendOutput }) => {
        await enqueueOutbox(manager, corrections);
        // Drift lines without the internal level copy.
        for (const { level: _level, ...drift } of drifts)
          appendOutput(`${JSON.stringify(drift)}\n`);
        return { checkpoint: next, processed: next.items };
      });
      state = context.checkpoint ?? next;
    }
    // Held levels Shopify did not list (approximate after a resume: `held` is re-read then).
    const extra = Math.max(0, held.size - (state.matching + state.differs));
    const summary = {
      items: state.items,
      levels: state.levels,
      matching: state.matching,
      drift: { missing: state.missing, differs: state.differs, extra },
      corrections: state.corrections,
    };
    return {
      contentType: 'application/x-ndjson',
      summary,
      tail: `${JSON.stringify({ summary })}\n`,
    };
  }
}
