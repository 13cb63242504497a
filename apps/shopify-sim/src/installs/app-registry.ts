import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';

/** An app as the Dev Dashboard knows it: credentials, configured scopes, allowed redirect URLs. */
export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  /** What managed installs (token exchange) and client credentials grant. */
  scopes: string[];
  /** Allowed `redirect_uri` prefixes; empty allows any http(s) URL (development). */
  redirectUrls: string[];
}

export const DEFAULT_APP_SCOPES = [
  'read_products',
  'write_products',
  'read_orders',
  'write_orders',
  'read_inventory',
  'write_inventory',
  'read_customers',
  'read_discounts',
  'write_discounts',
  'read_locations',
];

/** Registered apps by client id; the default one comes from `SIM_APP_CLIENT_ID/SECRET`. */
@Injectable()
export class AppRegistry {
  private readonly apps = new Map<string, AppRegistration>();

  register(app: AppRegistration): void {
    this.apps.set(app.clientId, app);
  }

  get(clientId: string): AppRegistration | undefined {
    return this.apps.get(clientId);
  }

  /** The app when the id and secret belong together (compared in constant time). */
  authenticate(clientId: unknown, clientSecret: unknown): AppRegistration | undefined {
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') return undefined;
    const app = this.apps.get(clientId);
    if (!app) return undefined;
    const digest = (text: string) => createHash('sha256').update(text).digest();
    return timingSafeEqual(digest(app.clientSecret), digest(clientSecret)) ? app : undefined;
  }

  list(): Omit<AppRegistration, 'clientSecret'>[] {
    return [...this.apps.values()].map(({ clientSecret: _secret, ...rest }) => rest);
  }
}
