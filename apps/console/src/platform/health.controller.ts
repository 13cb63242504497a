import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectServiceConfig } from '@shopwire/config';
import type { FastifyReply } from 'fastify';
import type { ConsoleConfig } from '../config';
import { Pages } from '../session/pages';
import { ALL_SERVICES, serviceUrls } from '../services/upstream';
import { probeService, sumBy } from './service-probe';

const BREAKER_STATES = ['closed', 'half-open', 'open'];

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
          breakers: [...sumBy(m, 'shopwire_circuit_breaker_state', ['breaker'])].map(
            ([name, value]) => [name, BREAKER_STATES[value] ?? String(value)] as const,
          ),
          outbox: [...sumBy(m, 'shopwire_outbox_pending', ['schema'])],
          deadLetters: [...sumBy(m, 'shopwire_dead_letters_pending', ['group'])],
        };
      }),
    );
  }
}
