import {
  createAnalyticsClient,
  createGatewayClient,
  createInventoryClient,
  createNotificationClient,
  createOrderClient,
  createShopsClient,
  createSyncClient,
} from '@shopwire/api-client';
import type { ConsoleConfig } from '../config';

/** The services whose consumers dead-letter (each mounts libs/dead-letters' controller). */
export const CONSUMER_SERVICES = [
  'order',
  'inventory',
  'notification',
  'analytics',
  'sync',
] as const;
export type ConsumerService = (typeof CONSUMER_SERVICES)[number];

export const isConsumerService = (value: unknown): value is ConsumerService =>
  (CONSUMER_SERVICES as readonly unknown[]).includes(value);

/** The services that mount libs/jobs' controller. */
export const JOB_SERVICES = ['analytics', 'sync'] as const;
export type JobService = (typeof JOB_SERVICES)[number];

/** Every service the Health page reads. */
export const ALL_SERVICES = ['gateway', ...CONSUMER_SERVICES, 'shops'] as const;
export type AnyService = (typeof ALL_SERVICES)[number];

export function serviceUrls(config: ConsoleConfig): Record<AnyService, string> {
  return {
    gateway: config.GATEWAY_URL,
    order: config.ORDER_URL,
    inventory: config.INVENTORY_URL,
    notification: config.NOTIFICATION_URL,
    analytics: config.ANALYTICS_URL,
    sync: config.SYNC_URL,
    shops: config.SHOPS_URL,
  };
}

/**
 * What a call to a service came to, in the terms a page shows: the data, or why not. A 403 is
 * not an error: the operator's credential lacks a scope or a shop, and the page says which.
 */
export type Outcome<T> =
  | { ok: true; data: T }
  | {
      ok: false;
      kind: 'denied' | 'unauthorized' | 'not-found' | 'invalid' | 'conflict';
      message: string;
    }
  | { ok: false; kind: 'unreachable' | 'failed'; message: string };

/** The typed clients of every service, all carrying the operator's token. */
export function clientsFor(config: ConsoleConfig, token: string) {
  const urls = serviceUrls(config);
  const timeout = config.CONSOLE_UPSTREAM_TIMEOUT_MS;
  // A hung service must cost a page one timeout, not a hung request.
  const fetchWithTimeout = (input: Request) =>
    fetch(input, { signal: AbortSignal.timeout(timeout) });
  const options = (baseUrl: string) => ({ baseUrl, token, fetch: fetchWithTimeout });
  return {
    gateway: createGatewayClient(options(urls.gateway)),
    order: createOrderClient(options(urls.order)),
    inventory: createInventoryClient(options(urls.inventory)),
    notification: createNotificationClient(options(urls.notification)),
    analytics: createAnalyticsClient(options(urls.analytics)),
    sync: createSyncClient(options(urls.sync)),
    shops: createShopsClient(options(urls.shops)),
  };
}

export type ServiceClients = ReturnType<typeof clientsFor>;

/**
 * Runs one openapi-fetch call and turns its answer into an `Outcome`. The service's own message
 * for a 403 ("this credential lacks the scope ops:dead-letters") is kept: it names what is
 * missing. Nothing of the request (the token) goes into a message.
 */
export async function outcome<T>(
  call: () => Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Outcome<T>> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call();
  } catch (error) {
    const name = (error as Error).name;
    return {
      ok: false,
      kind: 'unreachable',
      message: name === 'TimeoutError' ? 'no answer in time' : 'not reachable',
    };
  }
  const { data, error, response } = answer;
  if (response.ok) return { ok: true, data: data as T };
  const message = messageOf(error) ?? `HTTP ${response.status}`;
  switch (response.status) {
    case 400:
      return { ok: false, kind: 'invalid', message };
    case 401:
      return { ok: false, kind: 'unauthorized', message };
    case 403:
      return { ok: false, kind: 'denied', message };
    case 404:
      return { ok: false, kind: 'not-found', message };
    case 409:
      return { ok: false, kind: 'conflict', message };
    default:
      return { ok: false, kind: 'failed', message: `HTTP ${response.status}: ${message}` };
  }
}

/** Nest's error bodies: `{ message: string | string[] }`, or the shops service's `{ code }`. */
function messageOf(error: unknown): string | null {
  if (!error || typeof error !== 'object') return typeof error === 'string' && error ? error : null;
  const { message, code } = error as { message?: unknown; code?: unknown };
  if (Array.isArray(message)) return message.map(String).join('; ');
  if (typeof message === 'string') return message;
  if (typeof code === 'string') return code;
  return null;
}
