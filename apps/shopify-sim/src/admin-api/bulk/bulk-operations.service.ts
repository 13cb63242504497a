import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { execute, type ExecutionResult } from 'graphql';
import { createReadStream, createWriteStream, mkdirSync, rmSync, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { SIM_LOGGER } from '../../app.tokens';
import { ADMIN_API_CONFIG, ADMIN_CLOCK, type AdminApiConfig } from '../admin-api.config';
import { AdminMetrics } from '../admin-metrics';
import type { AdminContext, BulkOperationsPort, BulkOperationView } from '../graphql/admin-context';
import { queryRoot } from '../graphql/admin-queries';
import { isoTime } from '../graphql/admin-views';
import { AdminGraphqlService } from '../graphql/admin-graphql.service';
import { parseGid } from '../store/id-scheme';
import { AdminShopsService } from '../shops/admin-shops.service';
import type { Clock } from '../shops/leaky-bucket';
import { AdminWebhooksService } from './admin-webhooks.service';
import { bulkLines, connectionNodes } from './bulk-lines';
import { BulkQueryError, planBulkQuery, type BulkPlan } from './bulk-query';
import { JsonlWriter } from './jsonl-writer';

type Status = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';

interface BulkOperation {
  numericId: bigint;
  shop: string;
  apiVersion: string;
  baseUrl: string;
  query: string;
  status: Status;
  errorCode: 'INTERNAL_SERVER_ERROR' | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  file: string | null;
  createdAt: Date;
  completedAt: Date | null;
  cancel: boolean;
  done: Promise<void>;
}

const ACTIVE: readonly Status[] = ['CREATED', 'RUNNING', 'CANCELING'];
/**
 * Completed results kept per shop. Shopify expires a result after 7 days; the simulator expires
 * the oldest instead, so a long demo does not fill the disk (an export of 10,000 products is ~9 MB).
 */
const KEPT_RESULTS_PER_SHOP = 10;
/** Roots read per execution; small enough that pacing at a few hundred objects/s stays smooth. */
const ROOTS_PER_PAGE = 50;

/**
 * Bulk query operations: CREATED → RUNNING → COMPLETED (or CANCELING → CANCELED, or FAILED; old
 * results EXPIRED). The query runs page
 * by page against the same resolvers as interactive queries, each page turned into JSONL lines
 * and streamed to a file under SIM_BULK_DIR at `objectsPerSecond`; the result is served from that
 * file by `GET /sim/bulk/<id>.jsonl`. One bulk query per shop at a time, five from API version
 * 2026-01 (SHOPIFY.md). On completion the bulk_operations/finish webhook is sent if configured.
 */
@Injectable()
export class BulkOperationsService implements BulkOperationsPort, OnModuleDestroy {
  private readonly operations = new Map<bigint, BulkOperation>();
  private sequence = 0n;
  private readonly dir: string;
  /** Set on shutdown: operations cancelled by it send no webhooks. */
  private stopping = false;

  constructor(
    @Inject(ADMIN_API_CONFIG) config: AdminApiConfig,
    @Inject(ADMIN_CLOCK) private readonly clock: Clock,
    @Inject(SIM_LOGGER) private readonly logger: Logger,
    private readonly graphql: AdminGraphqlService,
    private readonly shops: AdminShopsService,
    private readonly webhooks: AdminWebhooksService,
    private readonly metrics: AdminMetrics,
  ) {
    // A directory per instance: two simulators (or two apps in one test process) never share or
    // delete each other's result files.
    this.dir = join(config.SIM_BULK_DIR, `${process.pid}-${randomUUID().slice(0, 8)}`);
    shops.onForget((shop) => this.forget(shop));
  }

  runQuery(context: AdminContext, query: string): ReturnType<BulkOperationsPort['runQuery']> {
    let plan: BulkPlan;
    try {
      plan = planBulkQuery(this.graphql.schema, query);
    } catch (error) {
      if (!(error instanceof BulkQueryError)) throw error;
      return {
        bulkOperation: null,
        userErrors: [{ field: ['query'], message: error.message, code: 'INVALID' }],
      };
    }
    const shop = context.shop.domain;
    const active = [...this.operations.values()].filter(
      (op) => op.shop === shop && ACTIVE.includes(op.status),
    );
    const limit = context.apiVersion >= '2026-01' ? 5 : 1;
    if (active.length >= limit) {
      return {
        bulkOperation: null,
        userErrors: [
          {
            field: null,
            message: `A bulk query operation for this app and shop is already in progress: ${gidOf(active[0]!)}.`,
            code: 'OPERATION_IN_PROGRESS',
          },
        ],
      };
    }
    this.expireOldResults(shop);
    this.sequence += 1n;
    // Above 2^53 like every other simulated id, so clients must keep them as strings.
    const numericId =
      BigInt(context.store.profile.id) * 10_000_000n + this.sequence + 100_000_000_000_000_000n;
    const operation: BulkOperation = {
      numericId,
      shop,
      apiVersion: context.apiVersion,
      baseUrl: context.baseUrl,
      query,
      status: 'CREATED',
      errorCode: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      file: null,
      createdAt: new Date(this.clock()),
      completedAt: null,
      cancel: false,
      done: Promise.resolve(),
    };
    this.operations.set(numericId, operation);
    context.shop.stats.bulk.started += 1;
    operation.done = this.execute(operation, plan, context).catch((error: unknown) => {
      this.logger.error({ shop, err: (error as Error).message }, 'bulk operation failed');
      this.finish(operation, 'FAILED');
    });
    return { bulkOperation: this.view(operation), userErrors: [] };
  }

  cancel(context: AdminContext, id: string): ReturnType<BulkOperationsPort['cancel']> {
    const operation = this.lookup(context.shop.domain, id);
    if (!operation)
      return {
        bulkOperation: null,
        userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }],
      };
    if (!ACTIVE.includes(operation.status)) {
      return {
        bulkOperation: this.view(operation),
        userErrors: [
          {
            field: null,
            message: `A bulk operation cannot be canceled when it is ${operation.status.toLowerCase()}`,
          },
        ],
      };
    }
    operation.cancel = true;
    operation.status = 'CANCELING';
    return { bulkOperation: this.view(operation), userErrors: [] };
  }

  find(context: AdminContext, id: string): BulkOperationView | null {
    const operation = this.lookup(context.shop.domain, id);
    return operation ? this.view(operation) : null;
  }

  current(context: AdminContext, type: 'QUERY' | 'MUTATION'): BulkOperationView | null {
    if (type !== 'QUERY') return null;
    let latest: BulkOperation | null = null;
    for (const operation of this.operations.values())
      if (
        operation.shop === context.shop.domain &&
        (!latest || operation.numericId > latest.numericId)
      )
        latest = operation;
    return latest ? this.view(latest) : null;
  }

  /** The result file of a completed operation, or null. */
  openResult(numericId: string): ReadStream | null {
    if (!/^\d{1,20}$/.test(numericId)) return null;
    const operation = this.operations.get(BigInt(numericId));
    if (!operation || operation.status !== 'COMPLETED' || !operation.file) return null;
    return createReadStream(operation.file);
  }

  /** Waits for running operations of `shop` (tests), or of every shop. */
  async settled(shop?: string): Promise<void> {
    await Promise.all(
      [...this.operations.values()].filter((op) => !shop || op.shop === shop).map((op) => op.done),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const operation of this.operations.values()) operation.cancel = true;
    await this.settled();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private expireOldResults(shop: string): void {
    const completed = [...this.operations.values()]
      .filter((op) => op.shop === shop && op.status === 'COMPLETED')
      .sort((a, b) => (a.numericId < b.numericId ? 1 : -1));
    for (const operation of completed.slice(KEPT_RESULTS_PER_SHOP - 1)) {
      operation.status = 'EXPIRED';
      if (operation.file) rmSync(operation.file, { force: true });
      operation.file = null;
    }
  }

  private forget(shop: string): void {
    for (const [id, operation] of this.operations) {
      if (operation.shop !== shop) continue;
      operation.cancel = true;
      this.operations.delete(id);
      void operation.done.then(() => {
        if (operation.file) rmSync(operation.file, { force: true });
      });
    }
  }

  private async execute(
    operation: BulkOperation,
    plan: BulkPlan,
    context: AdminContext,
  ): Promise<void> {
    await yieldToLoop();
    if (operation.cancel) return this.finish(operation, 'CANCELED');
    operation.status = 'RUNNING';
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${operation.numericId}.jsonl`);
    operation.file = file;
    const writer = new JsonlWriter(createWriteStream(file));
    const startedAt = this.clock();
    const { rootNode } = plan;
    let after: string | null = null;
    try {
      for (;;) {
        const result = (await execute({
          schema: this.graphql.schema,
          document: plan.document,
          rootValue: queryRoot,
          contextValue: context,
          variableValues: { __simFirst: ROOTS_PER_PAGE, __simAfter: after },
        })) as ExecutionResult;
        if (result.errors?.length) throw new Error(result.errors[0]!.message);
        const connection = (result.data as Record<string, unknown>)[plan.rootField] as Record<
          string,
          unknown
        >;
        for (const root of connectionNodes(connection, rootNode)) {
          operation.rootObjectCount += 1;
          for (const line of bulkLines(
            root,
            rootNode.selectionSet,
            rootNode.type,
            plan.fragments,
            null,
          )) {
            await writer.write(line);
            operation.objectCount = writer.lines;
          }
        }
        const pageInfo = connection[plan.pageInfoKey] as {
          hasNextPage: boolean;
          endCursor: string | null;
        };
        if (operation.cancel || !pageInfo.hasNextPage) break;
        after = pageInfo.endCursor;
        await this.pace(operation, startedAt, writer.lines);
      }
    } finally {
      await writer.close();
    }
    this.metrics.bulkObjectsWritten(writer.lines);
    operation.fileSize = writer.bytes;
    if (operation.cancel) {
      rmSync(file, { force: true });
      operation.file = null;
      return this.finish(operation, 'CANCELED');
    }
    this.finish(operation, 'COMPLETED');
  }

  /**
   * Holds the operation to `objectsPerSecond`, and always yields so requests keep flowing. Waits
   * in short slices so a cancel (or shutdown) is seen at once even at a slow pace.
   */
  private async pace(operation: BulkOperation, startedAt: number, objects: number): Promise<void> {
    const rate = Math.max(1, this.webhooks.settings.objectsPerSecond);
    const dueAt = startedAt + (objects / rate) * 1000;
    await yieldToLoop();
    for (
      let wait = dueAt - this.clock();
      wait > 0 && !operation.cancel;
      wait = dueAt - this.clock()
    )
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 100)));
  }

  private finish(operation: BulkOperation, status: 'COMPLETED' | 'FAILED' | 'CANCELED'): void {
    operation.status = status;
    operation.completedAt = new Date(this.clock());
    if (status === 'FAILED') operation.errorCode = 'INTERNAL_SERVER_ERROR';
    // Nobody to tell when the shop was forgotten meanwhile or the simulator is stopping.
    if (!this.operations.has(operation.numericId) || this.stopping) return;
    const body = {
      admin_graphql_api_id: gidOf(operation),
      completed_at: isoTime(operation.completedAt),
      created_at: isoTime(operation.createdAt),
      error_code: operation.errorCode?.toLowerCase() ?? null,
      status: status.toLowerCase(),
      type: 'query',
    };
    this.webhooks.send(
      operation.shop,
      'bulk_operations/finish',
      operation.apiVersion,
      Buffer.from(JSON.stringify(body)),
    );
  }

  private lookup(shop: string, id: string): BulkOperation | null {
    const parsed = parseGid(id);
    if (!parsed || parsed.type !== 'BulkOperation') return null;
    const operation = this.operations.get(parsed.id);
    return operation && operation.shop === shop ? operation : null;
  }

  private view(operation: BulkOperation): BulkOperationView {
    const completed = operation.status === 'COMPLETED';
    return {
      __typename: 'BulkOperation',
      id: gidOf(operation),
      status: operation.status,
      type: 'QUERY',
      errorCode: operation.errorCode,
      objectCount: String(operation.objectCount),
      rootObjectCount: String(operation.rootObjectCount),
      fileSize: completed && operation.fileSize !== null ? String(operation.fileSize) : null,
      // Shopify gives no URL for an empty result.
      url:
        completed && operation.objectCount > 0
          ? `${operation.baseUrl}/sim/bulk/${operation.numericId}.jsonl`
          : null,
      partialDataUrl: null,
      query: operation.query,
      createdAt: isoTime(operation.createdAt),
      completedAt: operation.completedAt ? isoTime(operation.completedAt) : null,
    };
  }
}

function gidOf(operation: BulkOperation): string {
  return `gid://shopify/BulkOperation/${operation.numericId}`;
}
