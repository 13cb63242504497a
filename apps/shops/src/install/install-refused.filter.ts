import {
  Catch,
  Inject,
  Injectable,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SERVICE_LOGGER } from '@shopwire/service-runtime';
import { InstallRefused } from './install-refusal';
import { InstallMetrics } from './install.metrics';
import { parseShopDomain } from './shop-domain';

/**
 * Every refusal of the install endpoints: counted by reason, answered with its status and a JSON
 * `{error, message}`. A refused session token also carries Shopify's retry header, which tells
 * App Bridge to fetch a fresh session token and send the request again.
 */
@Injectable()
@Catch(InstallRefused)
export class InstallRefusedFilter implements ExceptionFilter<InstallRefused> {
  constructor(
    private readonly metrics: InstallMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  catch(refusal: InstallRefused, host: ArgumentsHost): void {
    this.metrics.refuse(refusal.reason);
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // The route and a shop that passed the domain check; never the query (it holds the code).
    const claimed =
      (request.params as { shop?: unknown } | undefined)?.shop ??
      (request.query as { shop?: unknown } | undefined)?.shop;
    this.logger.info(
      { reason: refusal.reason, route: request.routeOptions.url, shop: parseShopDomain(claimed) },
      'install refused',
    );
    if (refusal.reason === 'bad_session_token') {
      void reply.header('x-shopify-retry-invalid-session-request', '1');
    }
    if (refusal.status === 503) void reply.header('retry-after', '5');
    void reply.header('cache-control', 'no-store').status(refusal.status).send(refusal.toJSON());
  }
}
