import { waitFor } from '@shopwire/testing';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ConsoleWorld } from './console-world';

/** Debian's package (`apt-get install chromium`); .ci/run installs it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Set to a folder (docs/console) to save the main pages' screenshots from this run. */
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS_DIR;

/**
 * The operator's console in a real browser (Chromium driven by playwright-core) against real
 * services started from dist: sign-in, dead letters replayed and seen applied, a job cancelled,
 * a credential limited to one shop shown nothing of another, CSRF and bad tokens refused.
 */
describe('console in a browser (real services, Chromium)', () => {
  const world = new ConsoleWorld();
  let browser: Browser;

  beforeAll(async () => {
    // Loud, never a silent pass: without the browser these tests cannot show anything.
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    await world.start();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await world.stop();
  });

  async function signedIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${world.console.url}/login`);
    await page.fill('input[name=token]', token);
    await Promise.all([page.waitForURL(/\/dead-letters/), page.click('button[type=submit]')]);
    return { context, page };
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** The dead letters page for a filter, following "Next page" until `id` shows (or pages end). */
  async function findLetter(page: Page, query: string, id: string): Promise<boolean> {
    await page.goto(`${world.console.url}/dead-letters?${query}`);
    for (let pages = 0; pages < 50; pages++) {
      if ((await page.locator(`tr[data-letter="order/${id}"]`).count()) > 0) return true;
      const next = page.locator('a[rel=next]');
      if ((await next.count()) === 0) return false;
      await next.click();
    }
    return false;
  }

  /** The id of the order service's pending dead letter for this webhook, from its API. */
  async function letterIdOf(shop: string, webhookId: string): Promise<string> {
    return waitFor(
      async () => {
        let cursor: string | null = null;
        do {
          const page: {
            status: number;
            json: { dead_letters: { id: string }[]; next_cursor: string | null };
          } = await world.call(
            world.order.url,
            'GET',
            `/dead-letters?shop=${shop}&status=pending&limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
          );
          for (const letter of page.json.dead_letters) {
            const shown = await world.call<{ headers: Record<string, string> }>(
              world.order.url,
              'GET',
              `/dead-letters/${encodeURIComponent(letter.id)}`,
            );
            if (shown.json.headers['shopify-webhook-id'] === webhookId) return letter.id;
          }
          cursor = page.json.next_cursor;
        } while (cursor);
        return null;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the dead letter in the order service' },
    );
  }

  it('refuses a bad token at login, and pages without a session send the browser there', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${world.console.url}/dead-letters`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login');
    await page.fill('input[name=token]', 'not-a-real-token-0123456789abcdef');
    await page.click('button[type=submit]');
    await expect(page.locator('[role=alert]').textContent()).resolves.toContain(
      'This token is not valid',
    );
    await page.goto(`${world.console.url}/jobs`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('refuses a state-changing POST without the CSRF token', async () => {
    const { orderId, webhookId } = await world.deadLetterAnOrder(world.shopA);
    const id = await letterIdOf(world.shopA, webhookId);
    const { context, page } = await signedIn(world.adminToken);
    const cookie = (await context.cookies(world.console.url))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const form = new URLSearchParams({ letter: `order|${id}|${world.shopA}` });
    const forged = await fetch(`${world.console.url}/dead-letters/replay`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(forged.status).toBe(403);
    const wrongToken = await fetch(`${world.console.url}/dead-letters/replay`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `${form.toString()}&_csrf=forged-token`,
    });
    expect(wrongToken.status).toBe(403);
    // Nothing was replayed: the letter is still pending and the order was never applied.
    const letter = await world.call<{ replayed_at: string | null }>(
      world.order.url,
      'GET',
      `/dead-letters/${encodeURIComponent(id)}`,
    );
    expect(letter.json.replayed_at).toBeNull();
    const order = await world.call(
      world.order.url,
      'GET',
      `/orders/${orderId}?shop=${world.shopA}`,
    );
    expect(order.status).toBe(404);
    // The same request from the page (with its token) is accepted.
    await page.goto(`${world.console.url}/dead-letters/order/${encodeURIComponent(id)}`);
    await page.click('form[action="/dead-letters/replay"] button');
    await page.locator('[data-state=applied]').waitFor({ timeout: 60_000 });
    await context.close();
  });

  it('lists a dead letter, inspects it with its payload, replays it and watches it apply', async () => {
    const { orderId, webhookId } = await world.deadLetterAnOrder(world.shopA);
    const id = await letterIdOf(world.shopA, webhookId);
    const { context, page } = await signedIn(world.adminToken);

    expect(await findLetter(page, `service=order&shop=${world.shopA}&status=pending`, id)).toBe(
      true,
    );
    // Across services: the ones the test did not start are named as unreachable, the rest shown.
    await page.goto(`${world.console.url}/dead-letters?shop=${world.shopA}&status=pending`);
    await expect(page.locator('.notice[data-service=inventory]').textContent()).resolves.toContain(
      'not reachable',
    );
    await screenshot(page, 'dead-letters');

    await page.goto(`${world.console.url}/dead-letters/order/${encodeURIComponent(id)}`);
    await expect(page.locator('#payload').textContent()).resolves.toContain(`"id":${orderId}`);
    await expect(page.locator('dl.facts').textContent()).resolves.toContain('ConsoleTestError');
    await screenshot(page, 'dead-letter');

    await page.click('form[action="/dead-letters/replay"] button');
    // The watch polls the letter: replayed, no new failure, and the order row it produced.
    const applied = page.locator('[data-state=applied]');
    await applied.waitFor({ timeout: 60_000 }).catch(async (error: Error) => {
      throw new Error(
        `${error.message}\nthe page showed: ${await page.locator('main').innerText()}`,
      );
    });
    await waitFor(
      async () =>
        (await applied.textContent())?.includes('is in the order service') ? true : null,
      { timeoutMs: 60_000, intervalMs: 500, what: 'the replayed order to show as applied' },
    );
    await screenshot(page, 'replay');
    const order = await world.call<{ id: string }>(
      world.order.url,
      'GET',
      `/orders/${orderId}?shop=${world.shopA}`,
    );
    expect(order.status).toBe(200);
    expect(order.json.id).toBe(orderId);
    await context.close();
  });

  it('withholds the payload from a credential without ops:dead-letters, and says so', async () => {
    const { orderId, webhookId } = await world.deadLetterAnOrder(world.shopB);
    const id = await letterIdOf(world.shopB, webhookId);
    const { context, page } = await signedIn(world.readerToken);
    await page.goto(`${world.console.url}/dead-letters/order/${encodeURIComponent(id)}`);
    await expect(page.locator('#payload-withheld').textContent()).resolves.toContain(
      'ops:dead-letters',
    );
    expect(await page.content()).not.toContain(`"id":${orderId}`);
    await context.close();
  });

  it('shows live progress of a job, cancels it, and downloads a finished one', async () => {
    const long = await world.submitReport(world.shopA, '2025-01-01', '2025-12-31');
    const short = await world.submitReport(world.shopA, '2025-02-01', '2025-02-01');
    const { context, page } = await signedIn(world.adminToken);
    await page.goto(`${world.console.url}/jobs?service=analytics`);
    const row = page.locator(`#job-${long}`);
    await row.waitFor();
    // Polled in place until it runs.
    await waitFor(
      async () => ((await row.getAttribute('data-status')) === 'running' ? true : null),
      { timeoutMs: 60_000, intervalMs: 250, what: 'the long job to run' },
    );
    await screenshot(page, 'jobs');
    await row.locator('button', { hasText: 'Cancel' }).click();
    await waitFor(
      async () =>
        (await page.locator(`#job-${long}`).getAttribute('data-status')) === 'cancelled'
          ? true
          : null,
      { timeoutMs: 30_000, intervalMs: 250, what: 'the job to show as cancelled' },
    );
    const stored = await world.call<{ status: string }>(
      world.analytics.url,
      'GET',
      `/jobs/${long}`,
    );
    expect(stored.json.status).toBe('cancelled');

    await waitFor(
      async () =>
        (await world.call<{ status: string }>(world.analytics.url, 'GET', `/jobs/${short}`)).json
          .status === 'succeeded'
          ? true
          : null,
      { timeoutMs: 60_000, intervalMs: 500, what: 'the short job to succeed' },
    );
    await page.goto(`${world.console.url}/jobs?service=analytics`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator(`#job-${short} a`, { hasText: 'Download' }).click(),
    ]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    // A day without orders: the report is its CSV header alone.
    expect(readFileSync(path, 'utf8')).toMatch(/^day,currency,orders,gross/);
    await context.close();
  });

  it("never shows a credential limited to one shop another shop's data", async () => {
    const mine = await world.deadLetterAnOrder(world.shopA);
    const theirs = await world.deadLetterAnOrder(world.shopB);
    const mineId = await letterIdOf(world.shopA, mine.webhookId);
    const theirsId = await letterIdOf(world.shopB, theirs.webhookId);
    const theirJob = await world.submitReport(world.shopB, '2025-03-01', '2025-03-01');
    const myJob = await world.submitReport(
      world.shopA,
      '2025-03-01',
      '2025-03-01',
      world.shopAToken,
    );
    const { context, page } = await signedIn(world.shopAToken);
    const seen: string[] = [];
    page.on('response', (response) => {
      void response.text().then(
        (text) => seen.push(text),
        () => undefined,
      );
    });

    // Without a shop, a limited credential is asked to name one (the service's own answer).
    await page.goto(`${world.console.url}/dead-letters?service=order`);
    await expect(page.locator('.notice[data-service=order]').textContent()).resolves.toContain(
      'must name one of its shops',
    );
    expect(await findLetter(page, `service=order&shop=${world.shopA}&status=all`, mineId)).toBe(
      true,
    );
    expect(await findLetter(page, `service=order&shop=${world.shopB}&status=all`, theirsId)).toBe(
      false,
    );
    await expect(page.locator('.notice[data-service=order]').textContent()).resolves.toContain(
      'does not cover the shop',
    );
    await page.goto(`${world.console.url}/dead-letters/order/${encodeURIComponent(theirsId)}`);
    await expect(page.locator('.notice').textContent()).resolves.toContain('may not see');

    await page.goto(`${world.console.url}/jobs`);
    await page.locator(`#job-${myJob}`).waitFor();
    expect(await page.locator(`#job-${theirJob}`).count()).toBe(0);

    await page.goto(`${world.console.url}/shops`);
    await page.locator(`tr[data-shop="${world.shopA}"]`).waitFor();
    expect(await page.locator(`tr[data-shop="${world.shopB}"]`).count()).toBe(0);
    await page.goto(`${world.console.url}/shops/${world.shopB}`);
    await expect(page.locator('.notice').first().textContent()).resolves.toContain('may not see');
    // The platform's health is every operator's: per-shop breakers are counted, not named.
    await page.goto(`${world.console.url}/health`);
    await page.locator('.card[data-service=shops]').waitFor();
    expect(await page.content()).not.toContain(world.shopB);

    // Nothing the browser received names shop B's letter, order or job.
    const everything = seen.join('\n');
    expect(everything).not.toContain(theirs.orderId);
    expect(everything).not.toContain(theirJob);
    // (The shop B the operator typed comes back in the filter and the heading; no row names it.)
    expect(everything).not.toContain(`<td>${world.shopB}</td>`);
    expect(everything).not.toContain(`data-shop="${world.shopB}"`);
    await context.close();
  });

  it('shows shops, one shop with token health and subscriptions, and live platform health', async () => {
    const { context, page } = await signedIn(world.adminToken);
    await page.goto(`${world.console.url}/shops`);
    await page.locator(`tr[data-shop="${world.shopA}"]`).waitFor();
    await screenshot(page, 'shops');
    await page.goto(`${world.console.url}/shops/${world.shopA}`);
    await expect(page.locator('dl.facts').first().textContent()).resolves.toContain(
      'client_credentials',
    );
    expect(await page.content()).not.toMatch(/shpat_|shpca_/);
    await screenshot(page, 'shop');

    await page.goto(`${world.console.url}/health`);
    await expect(page.locator('.card[data-service=order] .ready').textContent()).resolves.toBe(
      'up',
    );
    await expect(page.locator('.card[data-service=inventory] .ready').textContent()).resolves.toBe(
      'unreachable',
    );
    // Live: the panel is fetched again while the page stays open.
    await page.waitForResponse((response) => response.url().endsWith('/health/panel'), {
      timeout: 10_000,
    });
    await expect(page.locator('.card[data-service=order]').textContent()).resolves.toContain(
      'Consumer lag',
    );
    await screenshot(page, 'health');

    await page.click('form.logout button');
    await page.waitForURL(/\/login/);
    await page.goto(`${world.console.url}/jobs`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('follows a webhook from the gateway through each consumer group to the ERP, by order name', async () => {
    const sent = await world.sendOrderThroughGateway(world.shopC);
    const { context, page } = await signedIn(world.adminToken);
    await page.goto(`${world.console.url}/deliveries`);
    await page.fill('input[name=orderName]', sent.name);
    await page.fill('input[name=shop]', world.shopC);
    await Promise.all([page.waitForURL(/orderName=/), page.click('form.filters button')]);
    // Services not started are named as unreachable; the page still shows the rest.
    await expect(page.locator('.notice[data-service=inventory]').textContent()).resolves.toContain(
      'not reachable',
    );
    const row = page.locator(`tr[data-webhook="${sent.webhookId}"]`);
    await row.waitFor();
    await screenshot(page, 'deliveries');

    // The journey: each consumer group's outcome is journaled once it has run, and the ERP
    // sync finishes after sync's worker posts to the ERP; reload until both are there.
    const journey = await waitFor(
      async () => {
        await page.goto(
          `${world.console.url}/deliveries/${sent.webhookId}?shop=${encodeURIComponent(world.shopC)}`,
        );
        const consumers = await page
          .locator('table.consumers tbody tr')
          .evaluateAll((rows) =>
            rows.map((r) => [
              r.getAttribute('data-service'),
              r.querySelector('.state')?.textContent,
            ]),
          );
        const synced = await page.locator('.erp-sync[data-status=synced]').count();
        const applied = new Set(consumers.filter(([, o]) => o === 'applied').map(([c]) => c));
        return synced > 0 && ['order', 'analytics', 'sync'].every((service) => applied.has(service))
          ? consumers
          : null;
      },
      { timeoutMs: 60_000, what: 'the journey applied by order, analytics and sync, ERP synced' },
    );
    expect(journey.length).toBeGreaterThanOrEqual(3);
    await expect(page.locator('.accepted').textContent()).resolves.toMatch(
      /Accepted at the gateway .* onto\s+shopify\.orders\.v1 partition \d+ offset \d+/,
    );
    await expect(page.locator('.order-row').textContent()).resolves.toContain(sent.name);
    // Notification was not started: its part of the effects says so, the rest still shows.
    await expect(
      page.locator('.effects .notice[data-service=notification]').textContent(),
    ).resolves.toContain('not reachable');
    await screenshot(page, 'delivery');
    await context.close();
  });

  it("shows a credential without deliveries:read, or without the shop, the service's reason", async () => {
    const sent = await world.sendOrderThroughGateway(world.shopC);
    const limited = await signedIn(world.shopAToken);
    const seen: string[] = [];
    limited.page.on('response', (response) => {
      void response.text().then(
        (text) => seen.push(text),
        () => undefined,
      );
    });
    await limited.page.goto(
      `${world.console.url}/deliveries?shop=${world.shopC}&webhookId=${sent.webhookId}`,
    );
    await expect(
      limited.page.locator('.notice[data-service=order]').textContent(),
    ).resolves.toContain('does not cover the shop');
    expect(await limited.page.locator(`tr[data-webhook="${sent.webhookId}"]`).count()).toBe(0);
    // Without a shop, the journey asks every service as the credential: none answers shop C's.
    await limited.page.goto(`${world.console.url}/deliveries/${sent.webhookId}`);
    await expect(
      limited.page.locator('.notice[data-service=order]').textContent(),
    ).resolves.toContain('must name one of its shops');
    await limited.page.goto(
      `${world.console.url}/deliveries/${sent.webhookId}?shop=${world.shopC}`,
    );
    expect(await limited.page.locator('table.consumers').count()).toBe(0);
    expect(seen.join('\n')).not.toContain(sent.orderId);
    await limited.context.close();

    const reader = await signedIn(world.readerToken);
    await reader.page.goto(`${world.console.url}/deliveries?shop=${world.shopC}`);
    await expect(
      reader.page.locator('.notice[data-service=order]').textContent(),
    ).resolves.toContain('deliveries:read');
    await reader.context.close();
  });

  it('never writes a token to its log', () => {
    const log = world.consoleLog;
    expect(log).toContain('request completed');
    for (const token of [world.adminToken, world.shopAToken, world.readerToken])
      expect(log).not.toContain(token);
    expect(log).not.toContain('not-a-real-token');
  });
});
