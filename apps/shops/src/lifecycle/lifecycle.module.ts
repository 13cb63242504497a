import { Module } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module';
import { LifecycleConsumer } from './lifecycle.consumer';
import { LifecycleRepository } from './lifecycle.repository';
import { LifecycleService } from './lifecycle.service';

/** app/uninstalled and shop/redact from `shopify.compliance.v1`. */
@Module({
  imports: [CredentialsModule],
  // LifecycleConsumer: its @ConsumeChunks handler runs on the service's consumer transport.
  controllers: [LifecycleConsumer],
  providers: [LifecycleService, LifecycleRepository],
  exports: [LifecycleService],
})
export class LifecycleModule {}
