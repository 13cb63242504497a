import { Module } from '@nestjs/common';
import { InstallsModule } from '../installs/installs.module';
import { WebhookStreamsService } from './webhook-streams.service';
import { ShopLifecycleController } from './shop-lifecycle.controller';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [InstallsModule],
  controllers: [WebhooksController, ShopLifecycleController],
  providers: [WebhookStreamsService],
  exports: [WebhookStreamsService],
})
export class WebhooksModule {}
