import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { isShopDomain } from '../installs/oauth-crypto';
import { TokenStore } from '../installs/token-store';
import { AdminMetrics, type AdminApi } from './admin-metrics';
import { AdminFaultsService } from './faults/admin-faults.service';

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** `2026-10` style (quarterly releases) or `unstable`; anything else is not an API path. */
const API_VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What every Admin API request goes through before its handler: the shop must be a myshopify
 * domain and the version well-formed (404), injected faults apply (latency, 5xx, a dropped
 * connection — before anything else, as an outage would), and `X-Shopify-Access-Token` must be
 * one the shop accepts (401 with Shopify's body): a live token the simulator issued for a shop
 * it has issued tokens for, any non-empty token for other shops (see `TokenStore.admits`).
 */
@Injectable()
export class AdminGate {
  constructor(
    private readonly faults: AdminFaultsService,
    private readonly metrics: AdminMetrics,
    private readonly tokens: TokenStore,
  ) {}

  /** true: go on; false: the reply has been sent (or the connection dropped). */
  async admit(
    api: AdminApi,
    shop: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<boolean> {
    const { version } = request.params as { version?: string };
    if (!isShopDomain(shop) || !version || !API_VERSION.test(version)) {
      this.metrics.request(api, 'invalid');
      await reply.status(404).send({ errors: 'Not Found' });
      return false;
    }
    const fault = this.faults.draw(shop);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    switch (fault.kind) {
      case 'drop':
        this.metrics.request(api, 'fault');
        reply.raw.destroy();
        return false;
      case 'error':
        this.metrics.request(api, 'fault');
        await reply.status(fault.status).send({ errors: STATUS_TEXT[fault.status] });
        return false;
      case 'none':
        break;
    }
    const token = request.headers['x-shopify-access-token'];
    if (!this.tokens.admits(shop, typeof token === 'string' ? token : '')) {
      this.metrics.request(api, 'unauthorized');
      await reply.status(401).send({
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      });
      return false;
    }
    // Shopify names the version that answered (the simulator answers every well-formed one).
    void reply.header('x-shopify-api-version', version).header('x-request-id', randomUUID());
    return true;
  }
}
