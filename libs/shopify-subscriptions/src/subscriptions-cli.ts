import { isShopDomain, resolveWebhookEndpoint, WEBHOOK_ENDPOINT_ENV } from '@shopwire/contracts';
import { renderWebhooksToml } from './app-toml';

export const SUBSCRIPTIONS_USAGE = `webhooks-toml [--app-subscriptions]
    print the [webhooks] section of shopify.app.toml from the declaration (${WEBHOOK_ENDPOINT_ENV} = the gateway's public …/webhooks/shopify)
reconcile-subscriptions <shop>
    reconcile one shop's webhook subscriptions now, through the shops service (SHOPS_URL, SHOPS_API_TOKEN)`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

/** `npm run ops -- webhooks-toml`: exit code. */
export function runWebhooksTomlCli(args: string[], io: CliIo): number {
  const unknown = args.filter((a) => a !== '--app-subscriptions');
  if (unknown.length > 0) {
    io.err(`usage: ${SUBSCRIPTIONS_USAGE}`);
    return 2;
  }
  let endpoint: string;
  try {
    endpoint = resolveWebhookEndpoint(io.env[WEBHOOK_ENDPOINT_ENV]);
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 2;
  }
  io.out(
    renderWebhooksToml({
      endpoint,
      appSubscriptions: args.includes('--app-subscriptions'),
    }).trimEnd(),
  );
  return 0;
}

/**
 * `npm run ops -- reconcile-subscriptions <shop>`: asks the shops service (the only holder of the
 * shop's token) to reconcile, and prints its report as JSON. Exit 0 when nothing failed.
 */
export async function runReconcileSubscriptionsCli(args: string[], io: CliIo): Promise<number> {
  const [shop, ...extra] = args;
  if (!shop || extra.length > 0 || !isShopDomain(shop)) {
    io.err(`usage: ${SUBSCRIPTIONS_USAGE}`);
    return 2;
  }
  const base = (io.env.SHOPS_URL ?? 'http://127.0.0.1:3006').replace(/\/+$/, '');
  const token = io.env.SHOPS_API_TOKEN;
  if (!token) {
    io.err('SHOPS_API_TOKEN is not set (a shops service credential with shops:tokens)');
    return 2;
  }
  const call = io.fetch ?? fetch;
  const response = await call(
    `${base}/shops/${encodeURIComponent(shop)}/webhook-subscriptions/reconcile`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(60_000),
    },
  );
  const text = await response.text();
  if (!response.ok) {
    io.err(`shops service answered ${response.status}: ${text.slice(0, 500)}`);
    return 1;
  }
  io.out(text);
  const report = JSON.parse(text) as { failed?: unknown[] };
  return Array.isArray(report.failed) && report.failed.length > 0 ? 1 : 0;
}
