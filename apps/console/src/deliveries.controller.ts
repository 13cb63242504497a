import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Pages } from './session/pages';

/**
 * Deliveries and their journey: the services' `GET /deliveries` is being built; until it lands
 * the page says so rather than show an empty search.
 */
@ApiExcludeController()
@Controller('deliveries')
export class DeliveriesPageController {
  constructor(private readonly pages: Pages) {}

  @Get()
  page(@Res() reply: FastifyReply): FastifyReply {
    return this.pages.render(reply, 'deliveries', 'deliveries', {});
  }
}
