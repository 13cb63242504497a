import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '@shopwire/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AdminGate } from '../admin-gate.service';
import { AdminContextFactory } from '../admin-context.factory';
import { AdminGraphqlService, type GraphqlRequest } from './admin-graphql.service';

/**
 * `POST /shops/<shop>/admin/api/<version>/graphql.json`. Public as far as the simulator's bearer
 * token goes: Admin API calls carry `X-Shopify-Access-Token` instead (checked by the gate).
 */
@ApiExcludeController()
@PublicRoute()
@Controller('shops/:shop/admin/api/:version')
export class AdminGraphqlController {
  constructor(
    private readonly gate: AdminGate,
    private readonly contexts: AdminContextFactory,
    private readonly graphql: AdminGraphqlService,
  ) {}

  @Post('graphql.json')
  @HttpCode(200)
  async graphqlEndpoint(
    @Param('shop') shop: string,
    @Param('version') version: string,
    @Body() body: GraphqlRequest | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!(await this.gate.admit('graphql', shop, request, reply))) return;
    const context = this.contexts.create(shop, version, request);
    const result = await this.graphql.run(context, body ?? {});
    await reply.status(200).header('content-type', 'application/json; charset=utf-8').send(result);
  }
}
