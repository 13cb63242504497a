import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { SERVICE_CONFIG } from '@shopwire/config';
import type { SimConfig } from '../config/sim-config.schema';
import { AppRegistry, DEFAULT_APP_SCOPES } from './app-registry';
import { INSTALLS_CLOCK } from './installs.tokens';
import { OAuthController } from './oauth.controller';
import { SimOAuthController } from './sim-oauth.controller';
import { TokenStore } from './token-store';
import { WebhookSubscriptionStore } from './webhook-subscription-store';

/**
 * Installing an app on a simulated shop: registered apps, the OAuth authorize page and token
 * endpoint, the tokens issued (the Admin API checks them) and the controls for tests.
 */
@Module({
  controllers: [OAuthController, SimOAuthController],
  providers: [
    AppRegistry,
    { provide: INSTALLS_CLOCK, useValue: () => Date.now() },
    { provide: TokenStore, useFactory: () => new TokenStore() },
    { provide: WebhookSubscriptionStore, useFactory: () => new WebhookSubscriptionStore() },
  ],
  exports: [AppRegistry, TokenStore, WebhookSubscriptionStore],
})
export class InstallsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly apps: AppRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: SimConfig,
  ) {}

  onModuleInit(): void {
    this.apps.register({
      clientId: this.config.SIM_APP_CLIENT_ID,
      clientSecret: this.config.SIM_APP_CLIENT_SECRET,
      scopes: DEFAULT_APP_SCOPES,
      redirectUrls: [],
    });
    // The token endpoint also takes `application/x-www-form-urlencoded`, as Shopify's does.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
    fastify.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
  }
}
