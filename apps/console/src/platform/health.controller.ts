import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectServiceConfig } from '@shopwire/config';
import type { FastifyReply } from 'fastify';
import type { ConsoleConfig } from '../config';
import { Pages } from '../session/pages';
import { ALL_SERVICES, serviceUrls } from '../services/upstream';
import { probeService, sumBy } from './service-probe';

const BREAKER_STATES = ['closed', 'half-open', 'open'];
const SHOP_IN_NAME = /[a-z0-9][a-z0-9-]*\.myshopify\.com/;

/**
 * Breakers by name and state. Per-shop breakers (`shopify-admin:<shop>`) are counted by state, not
 * named: this page is every operator's, and a credential limited to some shops must not learn
 * which other shops exist.
 */
export function breakerSummary(states: Map<string, number>): (readonly [string, string])[] {
  const named: (readonly [string, string])[] = [];
  const perShop = new Map<string, number>();
  for (const [name, value] of states) {
    const state = BREAKER_STATES[value] ?? String(value);
    if (SHOP_IN_NAME.test(name)) {
      const key = `${name.replace(SHOP_IN_NAME, '<shop>')}|${state}`;
      perShop.set(key, (perShop.get(key) ?? 0) + 1);
    } else {
      named.push([name, state]);
    }
  }
  for (const [key, count] of perShop) {
    const [name, state] = key.split('|');
    named.push([`${name} ×${count}`, state]);
  }
  return named;
}

/**
 * The platform's health: each service's readiness, consumer lag per group, breaker states,
 * outbox backlog and pending dead letters, refreshed live (htmx polls the panel).
 */
@ApiExcludeController()
@Controller('health')
export class PlatformHealthController {
  constructor(
    @InjectServiceConfig() private readonly config: ConsoleConfig,
    private readonly pages: Pages,
  ) {}

  @Get()
  async page(@Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.pages.render(reply, 'health', 'health', { services: await this.readouts() });
  }

  @Get('panel')
  async panel(@Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.pages.render(reply, 'partials/health-panel', 'health', {
      services: await this.readouts(),
    });
  }

  private async readouts() {
    const urls = serviceUrls(this.config);
    return Promise.all(
      ALL_SERVICES.map(async (service) => {
        const readout = await probeService(urls[service], this.config.CONSOLE_UPSTREAM_TIMEOUT_MS);
        const m = readout.metrics;
        return {
          service,
          ready: readout.ready,
          checks: Object.entries(readout.checks).map(([name, details]) => ({
            name,
            status: String(details.status ?? ''),
            message: typeof details.message === 'string' ? details.message : null,
          })),
          lag: [...sumBy(m, 'shopwire_consumer_lag_messages', ['group', 'topic'])],
          breakers: breakerSummary(sumBy(m, 'shopwire_circuit_breaker_state', ['breaker'])),
          outbox: [...sumBy(m, 'shopwire_outbox_pending', ['schema'])],
          deadLetters: [...sumBy(m, 'shopwire_dead_letters_pending', ['group'])],
        };
      }),
    );
  }
}
