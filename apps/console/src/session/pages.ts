import { Injectable } from '@nestjs/common';
import { InjectServiceConfig } from '@shopwire/config';
import type { FastifyReply } from 'fastify';
import type { ConsoleConfig } from '../config';

export type Section = 'deliveries' | 'dead-letters' | 'jobs' | 'shops' | 'health' | 'login';

/** Renders a view with what every page's layout needs: the CSRF token, the nav, the poll pace. */
@Injectable()
export class Pages {
  constructor(@InjectServiceConfig() private readonly config: ConsoleConfig) {}

  render(
    reply: FastifyReply,
    view: string,
    section: Section,
    data: Record<string, unknown>,
    status = 200,
  ): FastifyReply {
    return reply
      .status(status)
      .header('cache-control', 'no-store')
      .view(view, {
        ...data,
        section,
        csrf: reply.generateCsrf(),
        pollSeconds: this.config.CONSOLE_POLL_SECONDS,
      });
  }
}

/** A query value as one string, or undefined when absent or blank. */
export function queryValue(value: unknown): string | undefined {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}
