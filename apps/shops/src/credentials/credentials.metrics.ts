import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, Gauge, type Registry } from '@shopwire/observability';

/** The credentials' metrics. No shop label (unbounded), never a token or anything derived. */
@Injectable()
export class CredentialsMetrics {
  /** Alert `ShopReauthRequired` fires on any increase. */
  readonly reauthRequired: Counter<'grant_type'>;
  readonly refreshes: Counter<'grant_type' | 'outcome'>;
  readonly installations: Gauge<'status'>;
  readonly tokensServed: Counter<'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.reauthRequired = new Counter({
      name: 'shopwire_shops_reauth_required_total',
      help: 'Installations marked reauth_required because Shopify refused their refresh token or grant',
      labelNames: ['grant_type'],
      registers: [registry],
    });
    // Every series exists from the start at 0, so the first reauth is an increase to alert on.
    for (const grant_type of [
      'authorization_code',
      'token_exchange',
      'client_credentials',
      'legacy',
    ]) {
      this.reauthRequired.inc({ grant_type }, 0);
    }
    this.refreshes = new Counter({
      name: 'shopwire_shops_token_refreshes_total',
      help: 'Token refreshes by grant type and outcome (refreshed, refused, failed)',
      labelNames: ['grant_type', 'outcome'],
      registers: [registry],
    });
    this.installations = new Gauge({
      name: 'shopwire_shops_installations',
      help: 'Installations by status, as of the refresh loop last look',
      labelNames: ['status'],
      registers: [registry],
    });
    this.tokensServed = new Counter({
      name: 'shopwire_shops_token_requests_total',
      help: 'Token API answers by outcome (ok, not_installed, reauth_required, unavailable)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }
}
