import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SERVICE_CONFIG } from '@shopwire/config';
import { PublicRoute } from '@shopwire/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config';
import { GatewayMetrics } from './gateway-metrics';
import { WebhookIntakeService } from './webhook-intake.service';
import { WebhookRejection } from './webhook-rejection';

// Authenticated by Shopify's HMAC over the body, not by an API credential.
@PublicRoute()
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly intake: WebhookIntakeService,
    private readonly metrics: GatewayMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('shopify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a Shopify webhook',
    description:
      'Verifies the HMAC over the raw body, writes the delivery to Kafka (acks=all) and answers 200 only after Kafka acknowledged it. Either header set (X-Shopify-* or shopify-*) is accepted.',
  })
  @ApiHeader({ name: 'X-Shopify-Hmac-Sha256', required: true })
  @ApiHeader({ name: 'X-Shopify-Topic', required: true })
  @ApiHeader({ name: 'X-Shopify-Shop-Domain', required: true })
  @ApiHeader({ name: 'X-Shopify-Webhook-Id', required: true })
  @ApiResponse({
    status: 200,
    description:
      'Durably queued (`accepted`), a repeat of a queued delivery (`duplicate`), or `dropped`: the app is not installed on the shop (compliance and app/* topics are never dropped for that), or no service reads the topic (customers/*, bulk_operations/*, unknown topics)',
  })
  @ApiResponse({
    status: 400,
    description:
      'Missing headers, a body that is not a JSON object, or a shop/*, customers/* or app/* payload naming another shop than X-Shopify-Shop-Domain (`shop_mismatch`) or not shaped as its topic (`payload_shape`)',
  })
  @ApiResponse({ status: 401, description: 'HMAC missing or wrong' })
  @ApiResponse({ status: 413, description: 'Body above WEBHOOK_MAX_BYTES' })
  @ApiResponse({
    status: 503,
    description: 'Kafka did not acknowledge in time; retry after Retry-After',
  })
  async receive(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const started = performance.now();
    try {
      const outcome = await this.intake.accept(
        request.headers,
        request.body as Buffer | undefined,
        new Date(),
      );
      this.metrics.ackLatency.observe((performance.now() - started) / 1000);
      await reply.code(200).send({ status: outcome });
    } catch (error) {
      if (!(error instanceof WebhookRejection)) throw error;
      this.metrics.rejected.inc({ reason: error.reason });
      if (error.retryable)
        void reply.header('Retry-After', String(this.config.RETRY_AFTER_SECONDS));
      await reply.code(error.status).send({ error: error.reason, message: error.message });
    }
  }
}
