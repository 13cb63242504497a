import { Catch, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { InstallRefused } from './install-refusal';
import { InstallMetrics } from './install.metrics';

/**
 * Every refusal of the install endpoints: counted by reason, answered with its status and a JSON
 * `{error, message}`. A refused session token also carries Shopify's retry header, which tells
 * App Bridge to fetch a fresh session token and send the request again.
 */
@Injectable()
@Catch(InstallRefused)
export class InstallRefusedFilter implements ExceptionFilter<InstallRefused> {
  constructor(private readonly metrics: InstallMetrics) {}

  catch(refusal: InstallRefused, host: ArgumentsHost): void {
    this.metrics.refuse(refusal.reason);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (refusal.reason === 'bad_session_token') {
      void reply.header('x-shopify-retry-invalid-session-request', '1');
    }
    if (refusal.status === 503) void reply.header('retry-after', '5');
    void reply.header('cache-control', 'no-store').status(refusal.status).send(refusal.toJSON());
  }
}
