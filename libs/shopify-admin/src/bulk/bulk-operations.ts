import { retry } from '@shopwire/resilience';
import { parseShopifyJson, type ShopifyJson } from '@shopwire/shopify';
import { createInterface } from 'node:readline';
import { Agent, request, type Dispatcher } from 'undici';
import type { ShopifyAdminClient } from '../admin-client';
import type { Priority } from '../budget/redis-budget';
import { BulkDownloadTrace } from '../admin-tracing';
import { ShopifyAdminError } from '../errors';
import { reassembleBulkLines, type BulkRecord, type ReassemblyOptions } from './jsonl-reassembly';

export type BulkOperationStatus =
  'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';

export interface BulkOperationInfo {
  id: string;
  status: BulkOperationStatus;
  errorCode: string | null;
  objectCount: string | null;
  url: string | null;
}

const FINISHED: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']);

const RUN_QUERY = `mutation BulkRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}`;

const OPERATION = `query BulkOperation($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount url }
}`;

/**
 * Completion notices from the `bulk_operations/finish` webhook. The service that receives the
 * webhook calls `notify` with its payload; a waiting export wakes up at once instead of on its
 * next poll. Notices may come before anyone waits (kept briefly) or never (the waiter polls).
 */
export class BulkCompletionHub {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly early = new Map<string, number>();

  constructor(private readonly rememberMs = 10 * 60_000) {}

  /** From the webhook payload: `admin_graphql_api_id` names the operation. */
  notify(payload: { admin_graphql_api_id?: unknown }): void {
    const id = payload.admin_graphql_api_id;
    if (typeof id !== 'string') return;
    const waiting = this.waiters.get(id);
    if (waiting) {
      this.waiters.delete(id);
      for (const wake of waiting) wake();
      return;
    }
    const now = Date.now();
    for (const [key, at] of this.early) if (now - at > this.rememberMs) this.early.delete(key);
    this.early.set(id, now);
  }

  /** Resolves when `id` is notified; `cancel` stops waiting without leaking the entry. */
  finished(id: string): { promise: Promise<void>; cancel(): void } {
    if (this.early.delete(id)) return { promise: Promise.resolve(), cancel: () => undefined };
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(wake);
    return {
      promise,
      cancel: () => {
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(id);
      },
    };
  }
}

export interface BulkWaitOptions {
  /** Between polls without a webhook hub (default 1 s). */
  pollIntervalMs?: number;
  /** Between polls when a hub is given: only a backstop for a lost webhook (default 30 s). */
  backstopPollMs?: number;
  /** Give up after this long (default 1 h). */
  timeoutMs?: number;
  priority?: Priority;
}

export interface BulkOperationsOptions {
  /** When set, waits are woken by the `bulk_operations/finish` webhook. */
  completions?: BulkCompletionHub;
  dispatcher?: Dispatcher;
  sleep?: (ms: number, wake?: Promise<void>) => Promise<void>;
}

/**
 * Bulk exports: start a `bulkOperationRunQuery`, wait for it (webhook or polling), then stream
 * the JSONL result line by line — a result is never held whole in memory.
 */
export class BulkOperations {
  private readonly dispatcher: Dispatcher;

  constructor(
    private readonly client: ShopifyAdminClient,
    private readonly options: BulkOperationsOptions = {},
  ) {
    this.dispatcher = options.dispatcher ?? new Agent({ connections: 4, bodyTimeout: 120_000 });
  }

  async start(
    shop: string,
    query: string,
    priority: Priority = 'default',
  ): Promise<BulkOperationInfo> {
    type Reply = {
      bulkOperationRunQuery: {
        bulkOperation: { id: string; status: BulkOperationStatus } | null;
        userErrors: { field: unknown; message: string }[];
      } | null;
    };
    const data = await this.client.graphql<Reply>(shop, RUN_QUERY, { query }, { priority });
    const result = data.bulkOperationRunQuery;
    if (!result?.bulkOperation || result.userErrors.length > 0)
      throw new ShopifyAdminError(
        'BULK',
        `bulk operation not started: ${result?.userErrors.map((e) => e.message).join('; ') || 'no operation'}`,
      );
    return { ...result.bulkOperation, errorCode: null, objectCount: null, url: null };
  }

  async status(
    shop: string,
    id: string,
    priority: Priority = 'default',
  ): Promise<BulkOperationInfo> {
    const data = await this.client.graphql<{ bulkOperation: BulkOperationInfo | null }>(
      shop,
      OPERATION,
      { id },
      { priority },
    );
    if (!data.bulkOperation) throw new ShopifyAdminError('BULK', `bulk operation ${id} not found`);
    return data.bulkOperation;
  }

  /** Resolves with the operation once it has finished (whatever the outcome). */
  async waitForCompletion(
    shop: string,
    id: string,
    options: BulkWaitOptions = {},
  ): Promise<BulkOperationInfo> {
    const hub = this.options.completions;
    const interval = hub ? (options.backstopPollMs ?? 30_000) : (options.pollIntervalMs ?? 1000);
    const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
    const notice = hub?.finished(id);
    // once the webhook has come, later sleeps must not return at once (a tight poll loop)
    let wake = notice?.promise;
    void wake?.then(() => (wake = undefined));
    try {
      for (;;) {
        const info = await this.status(shop, id, options.priority);
        if (FINISHED.has(info.status)) return info;
        if (Date.now() > deadline)
          throw new ShopifyAdminError(
            'BULK',
            `bulk operation ${id} still ${info.status} at the deadline`,
          );
        await this.sleep(wake ? interval : (options.pollIntervalMs ?? 1000), wake);
      }
    } finally {
      notice?.cancel();
    }
  }

  /** The result file's parsed lines, streamed (IDs above 2^53 stay strings). */
  async *lines(url: string, shop?: string): AsyncGenerator<ShopifyJson> {
    const traced = BulkDownloadTrace.start(url, shop);
    try {
      const response = await retry(
        () =>
          traced.attempt(async () => {
            const reply = await request(url, {
              dispatcher: this.dispatcher,
              headersTimeout: 30_000,
            });
            if (reply.statusCode >= 300) {
              await reply.body.dump();
              throw new ShopifyAdminError(
                'BULK',
                `bulk result download answered ${reply.statusCode}`,
                { transient: reply.statusCode >= 500, status: reply.statusCode },
              );
            }
            return reply;
          }),
        {
          attempts: 4,
          baseMs: 500,
          capMs: 5000,
          retryable: (error) => !(error instanceof ShopifyAdminError) || error.transient,
        },
      );
      traced.answered(response.statusCode);
      const reader = createInterface({ input: response.body, crlfDelay: Infinity });
      try {
        for await (const line of reader) {
          if (!line.trim()) continue;
          traced.line();
          yield parseShopifyJson(line);
        }
      } finally {
        reader.close();
        if (!response.body.destroyed) response.body.destroy();
      }
    } catch (error) {
      traced.failed(error);
      throw error;
    } finally {
      traced.end();
    }
  }

  /**
   * Runs `query` as a bulk export and yields its objects with their children attached. Throws
   * when the operation ends other than COMPLETED.
   */
  async *export(
    shop: string,
    query: string,
    options: BulkWaitOptions & ReassemblyOptions = {},
  ): AsyncGenerator<BulkRecord> {
    const started = await this.start(shop, query, options.priority);
    const finished = await this.waitForCompletion(shop, started.id, options);
    if (finished.status !== 'COMPLETED')
      throw new ShopifyAdminError(
        'BULK',
        `bulk operation ${finished.id} ended ${finished.status}${finished.errorCode ? ` (${finished.errorCode})` : ''}`,
      );
    // a completed export with no objects has no file
    if (!finished.url) return;
    yield* reassembleBulkLines(this.lines(finished.url, shop), options);
  }

  async close(): Promise<void> {
    if (!this.options.dispatcher) await this.dispatcher.close();
  }

  private sleep(ms: number, wake?: Promise<void>): Promise<void> {
    if (this.options.sleep) return this.options.sleep(ms, wake);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void wake?.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
