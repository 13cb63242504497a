import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';
import type { GrantType } from '../oauth/shopify-token-endpoint';
import { REFUSAL_REASONS, type RefusalReason } from './install-refusal';

/** The install flows' series. Labels stay low-cardinality: no shop. */
@Injectable()
export class InstallMetrics {
  readonly refused: Counter<'reason'>;
  readonly installed: Counter<'grant_type'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.refused = new Counter({
      name: 'shopwire_shops_install_refused_total',
      help: 'Install requests refused (nothing stored), by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.installed = new Counter({
      name: 'shopwire_shops_installs_total',
      help: 'Grants stored by the install flows, by grant type',
      labelNames: ['grant_type'],
      registers: [registry],
    });
    // Every reason visible at 0 from the first scrape, so rate() and alerts see it.
    for (const reason of REFUSAL_REASONS) this.refused.inc({ reason }, 0);
    const grants: GrantType[] = [
      'authorization_code',
      'token_exchange',
      'client_credentials',
      'legacy',
    ];
    for (const grantType of grants) this.installed.inc({ grant_type: grantType }, 0);
  }

  refuse(reason: RefusalReason): void {
    this.refused.inc({ reason });
  }
}
