import type { OrderPaths, order } from '@shopwire/api-client';
import type { Client } from 'openapi-fetch';
import { decodeCursor, encodeCursor, type CrossCursor } from '../services/cross-cursor';
import {
  CONSUMER_SERVICES,
  outcome,
  type ConsumerService,
  type Outcome,
  type ServiceClients,
} from '../services/upstream';

export type DeadLetter = order.components['schemas']['DeadLetterSummaryDto'];
export type DeadLetterDetail = order.components['schemas']['DeadLetterDetailDto'];
export type ReplayResult = order.components['schemas']['ReplayResultDto'];

type DeadLetterPaths = Pick<
  OrderPaths,
  '/dead-letters' | '/dead-letters/{id}' | '/dead-letters/replay'
>;

/**
 * Every consumer service mounts the same controller (libs/dead-letters), so their dead-letter
 * paths are one and the same schema; one client type serves them all.
 */
export function deadLetterClient(
  clients: ServiceClients,
  service: ConsumerService,
): Client<DeadLetterPaths> {
  return clients[service] as unknown as Client<DeadLetterPaths>;
}

export interface DeadLetterFilter {
  service?: ConsumerService;
  shop?: string;
  topic?: string;
  status: 'pending' | 'replayed' | 'all';
}

export interface ServiceNotice {
  service: ConsumerService;
  kind: string;
  message: string;
}

export interface DeadLetterPage {
  letters: (DeadLetter & { service: ConsumerService })[];
  notices: ServiceNotice[];
  next: string | null;
}

/** One page of dead letters, from each service the filter and the cursor leave in play. */
export async function deadLetterPage(
  clients: ServiceClients,
  filter: DeadLetterFilter,
  cursorValue: string | undefined,
  perService: number,
): Promise<DeadLetterPage> {
  const cursor = decodeCursor(cursorValue);
  const services = (filter.service ? [filter.service] : [...CONSUMER_SERVICES]).filter(
    (service) => cursor === null || cursor[service] !== undefined,
  );
  const answers = await Promise.all(
    services.map(async (service) => ({
      service,
      answer: await outcome(() =>
        deadLetterClient(clients, service).GET('/dead-letters', {
          params: {
            query: {
              shop: filter.shop,
              source_topic: filter.topic,
              status: filter.status,
              limit: perService,
              cursor: cursor?.[service],
            },
          },
        }),
      ),
    })),
  );
  const page: DeadLetterPage = { letters: [], notices: [], next: null };
  const next: CrossCursor = {};
  for (const { service, answer } of answers) {
    if (!answer.ok) {
      page.notices.push({ service, kind: answer.kind, message: answer.message });
      continue;
    }
    page.letters.push(...answer.data.dead_letters.map((letter) => ({ ...letter, service })));
    if (answer.data.next_cursor) next[service] = answer.data.next_cursor;
  }
  page.letters.sort((a, b) => a.dead_lettered_at.localeCompare(b.dead_lettered_at));
  page.next = encodeCursor(next);
  return page;
}

/** Where a letter stands after a replay, as the watch fragment shows it. */
export type ReplayState =
  | { state: 'pending' }
  | { state: 'replayed'; at: string; failedAgain: DeadLetter | null; effect: string | null };

export async function letterState(
  clients: ServiceClients,
  service: ConsumerService,
  letter: DeadLetterDetail,
): Promise<ReplayState> {
  if (!letter.replayed_at) return { state: 'pending' };
  // A replay that fails again is dead-lettered anew, naming the letter it came from.
  const since = await outcome(() =>
    deadLetterClient(clients, service).GET('/dead-letters', {
      params: {
        query: {
          shop: letter.shop ?? undefined,
          source_topic: letter.source_topic,
          since: letter.replayed_at ?? undefined,
          status: 'all',
          limit: 200,
        },
      },
    }),
  );
  const failedAgain = since.ok
    ? (since.data.dead_letters.find((later) => later.replayed_from === letter.id) ?? null)
    : null;
  return {
    state: 'replayed',
    at: letter.replayed_at,
    failedAgain,
    effect: failedAgain ? null : await effectOf(clients, service, letter),
  };
}

/**
 * The effect a replayed letter had, where a service's API shows it: for the order service, the
 * order row the webhook's key names (`<shop>/<order id>`).
 */
async function effectOf(
  clients: ServiceClients,
  service: ConsumerService,
  letter: DeadLetterDetail,
): Promise<string | null> {
  if (service !== 'order' || !letter.shop || !letter.key) return null;
  const id = letter.key.slice(letter.key.lastIndexOf('/') + 1);
  if (!/^\d{1,20}$/.test(id)) return null;
  const found: Outcome<order.components['schemas']['OrderDto']> = await outcome(() =>
    clients.order.GET('/orders/{id}', {
      params: { path: { id }, query: { shop: letter.shop as string } },
    }),
  );
  if (found.ok) {
    return `order ${found.data.name ?? found.data.id} is in the order service (updated ${found.data.updated_at ?? 'n/a'})`;
  }
  return found.kind === 'not-found' ? `order ${id} is not in the order service yet` : null;
}
