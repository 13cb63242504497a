import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OperatorToken } from '../session/operator-session';
import { Pages, queryValue } from '../session/pages';
import { ConsoleServices } from '../services/console-services';
import {
  CONSUMER_SERVICES,
  isConsumerService,
  outcome,
  type ConsumerService,
} from '../services/upstream';
import {
  deadLetterClient,
  deadLetterPage,
  letterState,
  type DeadLetterDetail,
  type DeadLetterFilter,
} from './dead-letter-pages';

const PER_SERVICE = 25;
const LETTER_STATUSES = ['pending', 'replayed', 'all'] as const;
const LETTER_ID = /^[A-Za-z0-9._-]+:\d{1,9}:\d{1,19}$/;
const SHOP = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** `service|id|shop` of a checked row (shop empty when the letter names none). */
interface Selected {
  service: ConsumerService;
  id: string;
  shop: string | null;
}

function parseSelected(value: unknown): Selected[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const out: Selected[] = [];
  for (const raw of values) {
    if (typeof raw !== 'string') continue;
    const [service, id, shop] = raw.split('|');
    if (!isConsumerService(service) || !LETTER_ID.test(id ?? '')) continue;
    out.push({ service, id, shop: shop && SHOP.test(shop) ? shop : null });
  }
  return out.slice(0, 200);
}

/**
 * Dead letters across the consumer services: list and filter, inspect, replay one or many, and
 * watch a replay land. Every call is the operator's: the services decide what they may see.
 */
@ApiExcludeController()
@Controller('dead-letters')
export class DeadLettersPagesController {
  constructor(
    private readonly services: ConsoleServices,
    private readonly pages: Pages,
  ) {}

  @Get()
  async list(
    @Query() query: Record<string, unknown>,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const service = queryValue(query.service);
    const status = queryValue(query.status);
    const filter: DeadLetterFilter = {
      service: isConsumerService(service) ? service : undefined,
      shop: queryValue(query.shop)?.toLowerCase(),
      topic: queryValue(query.topic),
      status: LETTER_STATUSES.find((known) => known === status) ?? 'pending',
    };
    const cursor = queryValue(query.cursor);
    const page = await deadLetterPage(this.services.as(token), filter, cursor, PER_SERVICE);
    const nextQuery = new URLSearchParams({
      ...(filter.service ? { service: filter.service } : {}),
      ...(filter.shop ? { shop: filter.shop } : {}),
      ...(filter.topic ? { topic: filter.topic } : {}),
      status: filter.status,
      ...(page.next ? { cursor: page.next } : {}),
    });
    return this.pages.render(reply, 'dead-letters', 'dead-letters', {
      filter,
      services: CONSUMER_SERVICES,
      statuses: LETTER_STATUSES,
      page,
      firstPage: !cursor,
      nextUrl: page.next ? `/dead-letters?${nextQuery.toString()}` : null,
    });
  }

  @Post('replay')
  async replay(
    @Body() body: Record<string, unknown> | undefined,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const selected = parseSelected(body?.letter);
    const clients = this.services.as(token);
    // One request per service and shop: a credential limited to shops must name the shop, and
    // then may replay only that shop's letters.
    const groups = new Map<string, Selected[]>();
    for (const letter of selected) {
      const key = `${letter.service}|${letter.shop ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), letter]);
    }
    const results = await Promise.all(
      [...groups.values()].map(async (letters) => {
        const { service, shop } = letters[0];
        const answer = await outcome(() =>
          deadLetterClient(clients, service).POST('/dead-letters/replay', {
            body: {
              ids: letters.map((letter) => letter.id),
              force: false,
              ...(shop ? { shop } : {}),
            },
          }),
        );
        return { service, shop, letters, answer };
      }),
    );
    return this.pages.render(reply, 'replay', 'dead-letters', {
      results,
      nothingSelected: selected.length === 0,
    });
  }

  @Get(':service/:id')
  async inspect(
    @Param('service') service: string,
    @Param('id') id: string,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!isConsumerService(service) || !LETTER_ID.test(id)) {
      return this.pages.render(
        reply,
        'message',
        'dead-letters',
        { title: 'No such dead letter', text: 'The address names no dead letter.' },
        404,
      );
    }
    const client = deadLetterClient(this.services.as(token), service);
    const get = (payload: 'true' | 'false') =>
      outcome(() =>
        client.GET('/dead-letters/{id}', { params: { path: { id }, query: { payload } } }),
      );
    // The payload may hold personal data: only a credential with ops:dead-letters gets it.
    let letter = await get('true');
    let payloadWithheld: string | null = null;
    if (!letter.ok && letter.kind === 'denied' && /ops:dead-letters/.test(letter.message)) {
      payloadWithheld = letter.message;
      letter = await get('false');
    }
    return this.pages.render(reply, 'dead-letter', 'dead-letters', {
      service,
      id,
      letter,
      payloadWithheld,
      state: letter.ok ? await letterState(this.services.as(token), service, letter.data) : null,
    });
  }

  /** The live part of a watched letter (htmx polls it): replayed? failed again? its effect. */
  @Get(':service/:id/state')
  async state(
    @Param('service') service: string,
    @Param('id') id: string,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!isConsumerService(service) || !LETTER_ID.test(id)) return reply.status(404).send();
    const clients = this.services.as(token);
    const letter = await outcome(() =>
      deadLetterClient(clients, service).GET('/dead-letters/{id}', {
        params: { path: { id }, query: { payload: 'false' } },
      }),
    );
    return this.pages.render(reply, 'partials/letter-state', 'dead-letters', {
      service,
      id,
      letter,
      state: letter.ok
        ? await letterState(clients, service, letter.data as DeadLetterDetail)
        : null,
    });
  }
}
