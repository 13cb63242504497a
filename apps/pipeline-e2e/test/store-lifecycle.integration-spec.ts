import { Browser, waitFor, shopifyWebhookHmac } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import {
  API_VERSION,
  APP_SECRET,
  metric,
  StoreStack,
  uniqueLifecycleShop,
} from './store-lifecycle-harness';

/**
 * A store's life as separate processes (the simulator, the gateway, order, sync, three shops
 * replicas; Kafka, Postgres, Redis): installed through OAuth as a browser, then a steady webhook
 * stream and a large order backfill while the simulator's access tokens expire every 4 s, then
 * uninstalled and installed again — and no token the simulator issued in any process's log.
 *
 * Tokens live 4 s; the shops service refreshes one when half its lifetime is left (2 s), so the
 * expected refresh rate is one per 2 s whatever the traffic or the replica count. Sync never
 * caches a token that close to expiry (libs/shop-credentials' 60 s margin), so every Admin call
 * it makes carries a token with at least ~2 s left: no Admin API 401 is expected at all, and
 * one is counted as a failure, not excused as recovered.
 */
const TTL_SECONDS = 4;
/** Backfilled 5 per REST page: 80 pages, ~40 in the REST bucket's burst, the rest at 2/s. */
const ORDERS = 400;
const PAGE_SIZE = 5;
const STREAM_SECONDS = 24;
/** Short slots so an uninstalled shop is seen to get none and a reinstalled one to get one again. */
const SLOT_SECONDS = 8;

interface ShopView {
  accessTokens: string[];
  refreshTokens: string[];
  refreshes: number;
  previousRefreshTokenUsed: number;
  reusedRefreshTokens: number;
  unauthorized: number;
}
interface AdminStats {
  graphql: { requests: number };
  rest: { requests: number };
}
interface JobView {
  id: string;
  status: string;
  progress: { processed: number; total: number | null } | null;
  error?: unknown;
}
interface StreamView {
  state: string;
  stats: {
    generated: number;
    submitted: number;
    delivered: number;
    failed: number;
    inFlight: number;
    queued: number;
    waitingRetry: number;
  };
}

describe('a store’s lifecycle across the services (separate processes)', () => {
  const shop = uniqueLifecycleShop();
  let stack: StoreStack;
  const measured: Record<string, number | string> = {};
  let uninstallTriggeredAt = new Date(0);

  beforeAll(async () => {
    stack = await StoreStack.start({
      SCHEDULE_POLL_MS: '500',
      SCHEDULE_ORDER_BACKFILL_INTERVAL_SECONDS: String(SLOT_SECONDS),
      SCHEDULE_ORDER_BACKFILL_WINDOW_SECONDS: String(SLOT_SECONDS * 2),
    });
    expect(
      (await stack.simCall('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: TTL_SECONDS }))
        .status,
    ).toBe(200);
    expect(
      (await stack.simCall('PUT', `/sim/admin/shops/${shop}`, { orders: ORDERS, products: 5 }))
        .status,
    ).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    process.stdout.write(`store lifecycle: ${JSON.stringify(measured)}\n`);
  });

  const view = async () => (await stack.simCall<ShopView>('GET', `/sim/oauth/shops/${shop}`)).json;
  const adminStats = async () =>
    (await stack.simCall<AdminStats>('GET', `/sim/admin/shops/${shop}/stats`)).json;
  /** Every Admin API request for the shop that reached the simulator, refused ones included. */
  const adminRequests = async () => {
    const [stats, oauth] = await Promise.all([adminStats(), view()]);
    return stats.graphql.requests + stats.rest.requests + oauth.unauthorized;
  };
  const sql = async <T>(text: string, params: unknown[] = []) =>
    (await stack.db.query(text, params)).rows as T[];

  /** The authorization-code install, as the merchant's browser goes through it. */
  async function installAsBrowser(): Promise<{ expiresAt: string }> {
    const browser = new Browser();
    const installUrl = `${stack.shopsLb.url}/auth/install?shop=${shop}`;
    const authorize = Browser.location(await browser.get(installUrl), installUrl);
    expect(authorize.startsWith(`${stack.sim.url}/shops/${shop}/admin/oauth/authorize?`)).toBe(
      true,
    );
    const callback = Browser.location(await browser.get(authorize), authorize);
    expect(callback.startsWith(`${stack.shopsLb.url}/auth/callback?`)).toBe(true);
    const done = await browser.get(callback);
    expect(done.status).toBe(200);
    const answer = done.json<{ shop: string; grantType: string; expiresAt: string }>();
    expect(answer).toMatchObject({ shop, grantType: 'authorization_code' });
    return answer;
  }

  async function subscriptionsInPlace(): Promise<void> {
    await waitFor(
      async () => {
        const answer = await stack.call<{
          subscriptions: { topic: string; actual: { uri: string } | null }[];
        }>(stack.shopsLb.url, 'GET', `/shops/${shop}/webhook-subscriptions`);
        return (
          answer.status === 200 &&
          answer.json.subscriptions.length > 0 &&
          answer.json.subscriptions.every(
            (s) => s.actual?.uri === `${stack.gateway.url}/webhooks/shopify`,
          )
        );
      },
      'the shop’s webhook subscriptions pointing at the gateway',
      150_000,
    );
  }

  const syncStatus = async () =>
    (
      await sql<{ status: string; generation: number }>(
        `SELECT status, generation FROM sync.shop_installations WHERE shop_domain = $1`,
        [shop],
      )
    )[0];

  async function submitBackfill(since: string): Promise<{ status: number; id?: string }> {
    const answer = await stack.call<{ id: string }>(stack.sync.url, 'POST', '/jobs', {
      type: 'order-backfill',
      params: { shop, since, page_size: PAGE_SIZE },
    });
    return { status: answer.status, id: answer.json?.id };
  }

  async function finished(id: string, timeoutMs = 180_000): Promise<JobView> {
    let job: JobView | undefined;
    await waitFor(
      async () => {
        job = (await stack.call<JobView>(stack.sync.url, 'GET', `/jobs/${id}`)).json;
        return ['succeeded', 'failed', 'cancelled'].includes(job.status);
      },
      `job ${id} to finish`,
      timeoutMs,
    );
    return job!;
  }

  /** A delivery Shopify might still make (a late retry): signed with the app's secret. */
  async function deliver(
    topic: string,
    body: string,
    triggeredAt = new Date(),
  ): Promise<{ status: number; outcome?: string }> {
    const response = await fetch(`${stack.gateway.url}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': shopifyWebhookHmac(APP_SECRET, Buffer.from(body)),
        'x-shopify-shop-domain': shop,
        'x-shopify-api-version': API_VERSION,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-triggered-at': triggeredAt.toISOString(),
      },
      body,
    });
    const answer = (await response.json().catch(() => ({}))) as { status?: string };
    return { status: response.status, outcome: answer.status };
  }

  /** Sync's own count of its Admin API calls (libs/shopify-admin), by kind of outcome. */
  async function syncCalls(): Promise<{ ok: number; throttled: number; failed: number }> {
    const page = await (await fetch(`${stack.sync.url}/metrics`)).text();
    const totals = { ok: 0, throttled: 0, failed: 0 };
    for (const line of page.split('\n')) {
      const match =
        /^shopwire_shopify_admin_requests_total\{[^}]*outcome="(\w+)"[^}]*\} (\S+)$/.exec(line);
      if (!match) continue;
      const kind =
        match[1] === 'ok'
          ? 'ok'
          : match[1] === 'throttled' || match[1] === 'rate_limited'
            ? 'throttled'
            : 'failed';
      totals[kind] += Number(match[2]);
    }
    return totals;
  }

  const droppedUninstalled = async () =>
    metric(
      await (await fetch(`${stack.gateway.url}/metrics`)).text(),
      /^shopwire_webhooks_dropped_total\{[^}]*reason="shop_uninstalled"/,
    );

  const orderBody = (id: bigint) =>
    `{"id":${id},"admin_graphql_api_id":"gid://shopify/Order/${id}","name":"#1","order_number":1,` +
    `"email":"buyer@example.com","created_at":"2026-11-27T10:00:00Z","updated_at":"2026-11-27T10:00:00Z",` +
    `"currency":"EUR","financial_status":"paid","fulfillment_status":null,"total_price":"10.00",` +
    `"subtotal_price":"10.00","total_tax":"0.00","total_discounts":"0.00","cancelled_at":null,` +
    `"cancel_reason":null,"line_items":[]}`;

  const storedOrder = async (id: bigint) =>
    (
      await sql(`SELECT 1 FROM orders.orders WHERE shop_domain = $1 AND id = $2`, [
        shop,
        id.toString(),
      ])
    ).length === 1;

  it('installs the shop through the authorization-code flow driven as a browser', async () => {
    const installed = await installAsBrowser();
    // An expiring offline token with a refresh token, as the simulator was told to issue.
    expect(Date.parse(installed.expiresAt) - Date.now()).toBeLessThanOrEqual(TTL_SECONDS * 1000);
    const rows = await sql<{ status: string; generation: number; refresh: boolean }>(
      `SELECT i.status, i.generation, c.refresh_token IS NOT NULL AS refresh
         FROM shops.installations i JOIN shops.credentials c USING (shop) WHERE shop = $1`,
      [shop],
    );
    expect(rows).toEqual([{ status: 'installed', generation: 1, refresh: true }]);
    expect((await view()).refreshTokens.length).toBeGreaterThanOrEqual(1);
    await subscriptionsInPlace();
    await waitFor(async () => (await syncStatus())?.status === 'installed', 'sync saw it', 150_000);
  }, 360_000);

  it('keeps every Admin call working while tokens expire every 4 s, across three shops replicas', async () => {
    const before = { view: await view(), admin: await adminStats(), sync: await syncCalls() };
    const servedBefore = [...stack.shopsLb.served];
    const started = Date.now();
    const stream = await stack.simCall<{ id: string }>('POST', '/sim/webhooks/streams', {
      rate: 8,
      durationSeconds: STREAM_SECONDS,
      shops: [shop],
      topics: { 'orders/create': 3, 'orders/updated': 2, 'products/update': 1 },
      seed: 'store-lifecycle',
    });
    expect(stream.status).toBe(201);
    const submitted = await submitBackfill('2000-01-01T00:00:00Z');
    expect(submitted.status).toBe(202);

    const job = await finished(submitted.id!);
    let streamView: StreamView | undefined;
    await waitFor(
      async () => {
        streamView = (
          await stack.simCall<StreamView>('GET', `/sim/webhooks/streams/${stream.json.id}`)
        ).json;
        const { stats } = streamView;
        // Ended, and nothing of it still in flight or waiting for a retry.
        return (
          streamView.state !== 'running' &&
          stats.submitted > 0 &&
          stats.inFlight + stats.queued + stats.waitingRetry === 0
        );
      },
      'the webhook stream to end',
      120_000,
    );
    const elapsedMs = Date.now() - started;
    const after = { view: await view(), admin: await adminStats(), sync: await syncCalls() };

    // The backfill: done, every order of the shop, each in the order service.
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: { processed: ORDERS, total: ORDERS },
    });
    const backfilled = async () =>
      (
        await sql<{ published: string; stored: string }>(
          `SELECT count(*) AS published, count(r.id) AS stored
             FROM (SELECT DISTINCT split_part(key, '/', 2) AS id FROM sync.outbox WHERE key LIKE $1) b
             LEFT JOIN orders.orders r ON r.shop_domain = $2 AND r.id::text = b.id`,
          [`${shop}/%`, shop],
        )
      )[0]!;
    await waitFor(
      async () => Number((await backfilled()).stored) >= ORDERS,
      'every backfilled order stored by the order service',
      120_000,
    );
    expect(await backfilled()).toEqual({ published: String(ORDERS), stored: String(ORDERS) });

    // The stream: every delivery acknowledged by the gateway.
    expect(streamView!.stats.failed).toBe(0);
    expect(streamView!.stats.delivered).toBe(streamView!.stats.submitted);
    expect(streamView!.stats.generated).toBeGreaterThan(STREAM_SECONDS * 4);

    // No Admin API 401 at all (see the top of the file for why none is legitimate here).
    const adminCalls =
      after.admin.graphql.requests -
      before.admin.graphql.requests +
      after.admin.rest.requests -
      before.admin.rest.requests;
    expect(after.view.unauthorized - before.view.unauthorized).toBe(0);
    // Nor any other failed call as sync saw them (a throttle is an answer it waits out, counted).
    expect(after.sync.failed - before.sync.failed).toBe(0);
    expect(after.sync.ok - before.sync.ok).toBeGreaterThanOrEqual(ORDERS / PAGE_SIZE);
    expect(adminCalls).toBeGreaterThanOrEqual(ORDERS / PAGE_SIZE);

    // One refresh per token lifetime slot (refreshed at half life: one per 2 s), not one per
    // replica or per caller; the shops process needs a moment per refresh, so the band's low end
    // is generous, its high end is not.
    const refreshes = after.view.refreshes - before.view.refreshes;
    const expected = elapsedMs / ((TTL_SECONDS * 1000) / 2);
    expect(refreshes).toBeGreaterThanOrEqual(Math.floor(expected * 0.7) - 1);
    expect(refreshes).toBeLessThanOrEqual(Math.ceil(expected) + 1);
    // Every refresh token was redeemed once: none again after its replacement was issued (a lost
    // answer would show here), none after its replacement was used (refused as reuse).
    expect(after.view.previousRefreshTokenUsed).toBe(0);
    expect(after.view.reusedRefreshTokens).toBe(0);
    // The token API was asked through all three replicas.
    const served = stack.shopsLb.served.map((n, i) => n - (servedBefore[i] ?? 0));
    expect(served).toHaveLength(3);
    for (const n of served) expect(n).toBeGreaterThan(0);

    Object.assign(measured, {
      rotationElapsedMs: elapsedMs,
      tokenExpiries: Math.floor(elapsedMs / (TTL_SECONDS * 1000)),
      refreshes,
      refreshesExpected: Number(expected.toFixed(1)),
      adminCalls,
      adminUnauthorized: after.view.unauthorized - before.view.unauthorized,
      syncAdminOk: after.sync.ok - before.sync.ok,
      syncAdminThrottled: after.sync.throttled - before.sync.throttled,
      webhooksDelivered: streamView!.stats.delivered,
      tokenApiPerReplica: served.join('/'),
    });
  }, 300_000);

  it('after an uninstall: no Admin call for the shop, its token row gone, its webhooks dropped and counted', async () => {
    // Long-lived tokens from here on: no rotation event can mask what the uninstall stopped.
    await stack.simCall('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 3600 });
    uninstallTriggeredAt = new Date();
    const uninstalled = await stack.simCall<{ webhooks: { url: string }[] }>(
      'POST',
      `/sim/shops/${shop}/uninstall`,
      {},
    );
    expect(uninstalled.status).toBe(200);
    // Sent to the subscription the shops service made: the gateway.
    expect(uninstalled.json.webhooks.map((w) => w.url)).toEqual([
      `${stack.gateway.url}/webhooks/shopify`,
    ]);
    await waitFor(async () => {
      const rows = await sql<{ status: string }>(
        `SELECT status FROM shops.installations WHERE shop = $1`,
        [shop],
      );
      return rows[0]?.status === 'uninstalled';
    }, 'the shops service to apply app/uninstalled');
    expect(await sql(`SELECT 1 FROM shops.credentials WHERE shop = $1`, [shop])).toEqual([]);
    await waitFor(async () => (await syncStatus())?.status === 'uninstalled', 'sync saw it');
    const token = await stack.call(
      stack.shopsLb.url,
      'GET',
      `/internal/shops/${shop}/access-token`,
    );
    expect(token).toMatchObject({ status: 404, json: { code: 'not_installed' } });

    // A scheduled job running at the uninstall was cancelled; once it has stopped (its calls in
    // the air arrived or were aborted) nothing may reach the simulator's Admin API for the shop:
    // not a job asked for, not the scheduler's next slots.
    await waitFor(
      async () =>
        (
          await sql(
            `SELECT 1 FROM sync.jobs WHERE params->>'shop' = $1 AND status IN ('queued', 'running')`,
            [shop],
          )
        ).length === 0,
      'the shop’s jobs stopped',
    );
    const flat = await adminRequests();
    const ticks = async () =>
      Number(
        (
          await sql<{ runs: string }>(
            `SELECT coalesce(sum(runs), 0) AS runs FROM sync.schedule_ticks WHERE name = 'sync.order-backfill'`,
          )
        )[0]?.runs ?? 0,
      );
    const ticksBefore = await ticks();
    const flatSince = Date.now();
    const asked = await submitBackfill('2000-01-01T00:00:00Z');
    if (asked.status === 202) expect((await finished(asked.id!)).status).not.toBe('succeeded');
    else expect(asked.status).toBeGreaterThanOrEqual(400);

    // Late deliveries for it: acknowledged (Shopify must not retry), dropped, counted — the
    // first one too, though the gateway last looked the shop up during the stream, long before.
    const dropped = await droppedUninstalled();
    const late = [820982911946154508n + 7n, 820982911946154508n + 8n];
    for (const id of late)
      expect(await deliver('orders/create', orderBody(id))).toEqual({
        status: 200,
        outcome: 'dropped',
      });
    const droppedNow = (await droppedUninstalled()) - dropped;
    expect(droppedNow).toBe(late.length);

    // At least a few seconds, and at least one of the scheduler's slots.
    await waitFor(
      async () => (await ticks()) > ticksBefore && Date.now() - flatSince >= 4000,
      'a scheduler slot and 4 s',
      60_000,
    );
    expect(await adminRequests()).toBe(flat);
    expect(await storedOrder(late[0])).toBe(false);
    expect(await storedOrder(late[1])).toBe(false);
    measured.droppedAfterUninstall = droppedNow;
  }, 300_000);

  it('reinstalls through OAuth: a new token, Admin calls again, the schedule active for the shop', async () => {
    const tokensBefore = new Set((await view()).accessTokens);
    const reinstalledAfter = Date.now();
    await installAsBrowser();
    const rows = await sql<{ status: string; generation: number }>(
      `SELECT status, generation FROM shops.installations WHERE shop = $1`,
      [shop],
    );
    expect(rows).toEqual([{ status: 'installed', generation: 2 }]);
    const token = await stack.call<{ accessToken: string; version: number }>(
      stack.shopsLb.url,
      'GET',
      `/internal/shops/${shop}/access-token`,
    );
    expect(token.status).toBe(200);
    expect(tokensBefore.has(token.json.accessToken)).toBe(false);
    await subscriptionsInPlace();
    await waitFor(
      async () => (await syncStatus())?.generation === 2,
      'sync saw the reinstall',
      150_000,
    );

    // The backfill a reinstall gets at once (the gateway dropped the shop's webhooks meanwhile).
    await waitFor(
      async () =>
        (
          await sql(
            `SELECT 1 FROM sync.jobs WHERE params->>'shop' = $1 AND status = 'succeeded'
                AND submitted_by = 'install:sync.order-backfill' AND created_at > $2`,
            [shop, new Date(reinstalledAfter)],
          )
        ).length > 0,
      'the reinstall’s backfill done',
      60_000,
    );

    // A retry of the first app/uninstalled arriving now (Shopify retries for hours): stale for
    // every service, the new installation and its order path stay.
    const lateUninstalls = async () =>
      Number(
        (
          await sql<{ n: string }>(
            `SELECT count(*) AS n FROM sync.privacy_requests
              WHERE shop_domain = $1 AND kind = 'app/uninstalled'`,
            [shop],
          )
        )[0]?.n ?? 0,
      );
    const seenUninstalls = await lateUninstalls();
    expect(
      await deliver(
        'app/uninstalled',
        `{"id":1,"domain":"${shop}","myshopify_domain":"${shop}"}`,
        uninstallTriggeredAt,
      ),
    ).toEqual({ status: 200, outcome: 'accepted' });
    await waitFor(
      async () => (await lateUninstalls()) > seenUninstalls,
      'sync to read the late app/uninstalled',
    );

    // Webhooks flow through again, and the new order reaches sync's ERP path, not cancelled.
    const welcome = 820982911946154508n + 9n;
    expect(await deliver('orders/create', orderBody(welcome))).toEqual({
      status: 200,
      outcome: 'accepted',
    });
    await waitFor(() => storedOrder(welcome), 'a webhook for the reinstalled shop stored');
    let erp: { status: string } | undefined;
    await waitFor(async () => {
      [erp] = await sql<{ status: string }>(
        `SELECT status FROM sync.order_syncs WHERE shop_domain = $1 AND order_id = $2`,
        [shop, welcome.toString()],
      );
      return erp !== undefined;
    }, 'sync to record the new order for the ERP');
    expect(erp!.status).not.toBe('cancelled');

    // The schedule submits for the shop again, and its job calls the Admin API.
    const adminBefore = await adminRequests();
    await waitFor(
      async () =>
        (
          await sql(
            `SELECT 1 FROM sync.jobs WHERE type = 'order-backfill' AND status = 'succeeded'
                AND submitted_by LIKE 'schedule:%' AND params->>'shop' = $1 AND created_at > $2`,
            [shop, new Date(reinstalledAfter)],
          )
        ).length > 0,
      'a scheduled backfill for the reinstalled shop',
      60_000,
    );
    expect(await adminRequests()).toBeGreaterThan(adminBefore);
    expect(await syncStatus()).toEqual({ status: 'installed', generation: 2 });
    expect(await sql(`SELECT status FROM shops.installations WHERE shop = $1`, [shop])).toEqual([
      { status: 'installed' },
    ]);
    expect(await sql(`SELECT active FROM sync.shops WHERE shop_domain = $1`, [shop])).toEqual([
      { active: true },
    ]);
  }, 300_000);

  it('wrote no token the simulator issued into any process’s log', async () => {
    const issued = await view();
    const tokens = [...issued.accessTokens, ...issued.refreshTokens];
    measured.tokensIssued = tokens.length;
    measured.logBytes = stack.allLogs().length;
    expect(issued.accessTokens.length).toBeGreaterThan(10);
    // Info level: the services did log (installs, refreshes, jobs), just never a token.
    expect(stack.logs.get('shops-1')).toContain('"msg":"token refreshed"');
    expect(stack.logs.get('sync')).toContain('"level":"info"');
    const hits: string[] = [];
    for (const [process, text] of stack.logs)
      for (const token of tokens)
        if (text.includes(token)) hits.push(`${process}: ${token.slice(0, 8)}…`);
    expect(hits).toEqual([]);
  });
});
