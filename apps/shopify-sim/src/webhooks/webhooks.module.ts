import { Module } from '@nestjs/common';
import { WebhookStreamsService } from './webhook-streams.service';
import { WebhooksController } from './webhooks.controller';

@Module({
  controllers: [WebhooksController],
  providers: [WebhookStreamsService],
  exports: [WebhookStreamsService],
})
export class WebhooksModule {}
