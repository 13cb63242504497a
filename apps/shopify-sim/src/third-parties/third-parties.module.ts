import { Module, type DynamicModule } from '@nestjs/common';
import { ErpController } from './erp.controller';
import { ErpService } from './erp.service';
import { SmtpSinkController } from './smtp-sink.controller';
import { SIM_SMTP_PORT, SmtpSinkService } from './smtp-sink.service';

/** Stand-ins for the third parties Shopwire calls: an SMTP relay and an ERP. */
@Module({})
export class ThirdPartiesModule {
  /** `smtpPort` 0 picks a free port (tests read it from `SmtpSinkService.stats()`). */
  static forRoot(options: { smtpPort: number }): DynamicModule {
    return {
      module: ThirdPartiesModule,
      controllers: [SmtpSinkController, ErpController],
      providers: [
        { provide: SIM_SMTP_PORT, useValue: options.smtpPort },
        SmtpSinkService,
        ErpService,
      ],
      exports: [SmtpSinkService, ErpService],
    };
  }
}
