import { Inject, Injectable } from '@nestjs/common';
import { enqueueOutbox } from '@shopwire/database';
import type { Logger } from '@shopwire/observability';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { SERVICE_CONFIG, SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { ShopsConfig } from '../config';
import {
  TokenEndpointError,
  type ShopifyTokenEndpoint,
  type TokenGrant,
} from '../oauth/shopify-token-endpoint';
import { SHOPS_TOKEN_ENDPOINT } from '../shops.tokens';
import { ReauthRequiredError, TokenUnavailableError } from './credentials.errors';
import { CredentialsMetrics } from './credentials.metrics';
import {
  CredentialsRepository,
  type CredentialRow,
  type InstallationRow,
} from './credentials.repository';
import { installationChanged } from './installation-events';
import { TokenVault, tokenSha256 } from './token-vault';
import { TOKEN_VAULT } from './token-vault.provider';

/** Why a refresh is asked for: the token is near expiry, or a caller saw Shopify reject it. */
export type RefreshReason = { kind: 'due' } | { kind: 'rejected'; sha256: string };

export interface RefreshOptions {
  /** Wait for another replica's refresh of the shop to land (the token API); the loop skips. */
  waitIfBusy: boolean;
}

/** Shopify's answer meaning the refresh token (or the grant) is gone for good. */
const REFUSED = new Set(['invalid_grant']);
const WAIT_STEP_MS = 100;

/**
 * A token is due when it expires within SHOPS_REFRESH_AHEAD_SECONDS — or within half its
 * lifetime when that is shorter, so a 60 s token is not refreshed on every request.
 */
export function isDue(credential: CredentialRow, aheadMs: number, now = Date.now()): boolean {
  const expiresAt = credential.accessTokenExpiresAt?.getTime();
  if (expiresAt === undefined) return false;
  const lifetime = Math.max(0, expiresAt - credential.refreshedAt.getTime());
  return expiresAt - now <= Math.min(aheadMs, lifetime / 2);
}

/**
 * Refresh with rotation, one refresher per shop across replicas (ADR 0006):
 * - under `pg_try_advisory_xact_lock(hashtextextended('shops.refresh:<shop>'))`, held by the
 *   transaction that also writes the result; the others wait for the row's version to move;
 * - Shopify is asked first, and the new access + refresh token replace the old ones in one
 *   statement of that transaction: until it commits, the stored refresh token is the one sent;
 * - so a lost answer (timeout, crash, failed commit) is recovered by the next attempt with the
 *   stored token, which Shopify keeps valid until the new one is first used;
 * - `invalid_grant` marks the installation `reauth_required` (event, metric), no retry.
 * Client-credentials installs have no refresh token: the grant is asked again.
 */
@Injectable()
export class TokenRefresher {
  private readonly aheadMs: number;
  private readonly waitBudgetMs: number;

  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly repository: CredentialsRepository,
    @Inject(TOKEN_VAULT) private readonly vault: TokenVault,
    @Inject(SHOPS_TOKEN_ENDPOINT) private readonly endpoint: ShopifyTokenEndpoint,
    private readonly metrics: CredentialsMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_CONFIG) config: ShopsConfig,
  ) {
    this.aheadMs = config.SHOPS_REFRESH_AHEAD_SECONDS * 1000;
    // Long enough for the holder's Shopify call to time out and its transaction to end.
    this.waitBudgetMs = config.SHOPS_TOKEN_ENDPOINT_TIMEOUT_MS + 5000;
  }

  isDue(credential: CredentialRow, now = Date.now()): boolean {
    return isDue(credential, this.aheadMs, now);
  }

  /**
   * Makes the stored credential answer `reason` (refreshed, or found already refreshed by
   * someone else). Resolves without refreshing when the shop is no longer installed; the
   * caller re-reads. Throws ReauthRequiredError or TokenUnavailableError.
   */
  async refresh(shop: string, reason: RefreshReason, options: RefreshOptions): Promise<void> {
    const seen = await this.repository.findCredential(shop);
    const deadline = Date.now() + this.waitBudgetMs;
    for (;;) {
      if ((await this.underLock(shop, reason)) === 'done') return;
      if (!options.waitIfBusy) return;
      await sleep(WAIT_STEP_MS);
      const { installation, credential } = await this.repository.findBoth(shop);
      if (installation?.status !== 'installed' || !credential) return;
      if (credential.version !== seen?.version) return;
      if (Date.now() > deadline) throw new TokenUnavailableError(shop, 'lock_wait');
    }
  }

  private async underLock(shop: string, reason: RefreshReason): Promise<'done' | 'busy'> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('READ COMMITTED');
      const [{ locked }]: Array<{ locked: boolean }> = await runner.query(
        `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`,
        [`shops.refresh:${shop}`],
      );
      if (!locked) {
        await runner.rollbackTransaction();
        return 'busy';
      }
      await this.refreshLocked(runner, shop, reason);
      return 'done';
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  private async refreshLocked(
    runner: QueryRunner,
    shop: string,
    reason: RefreshReason,
  ): Promise<void> {
    const manager = runner.manager;
    // Read after taking the lock: a refresh that committed meanwhile is seen here.
    const { installation, credential } = await this.repository.findBoth(shop, manager);
    if (installation?.status !== 'installed' || !credential) return runner.commitTransaction();
    const needed =
      reason.kind === 'rejected'
        ? credential.accessTokenSha256 === reason.sha256
        : this.isDue(credential);
    if (!needed) return runner.commitTransaction();

    const grant = installation.grantType;
    let next: TokenGrant;
    try {
      if (grant === 'client_credentials') {
        next = await this.endpoint.clientCredentials(shop);
      } else if (credential.refreshToken) {
        const refreshToken = this.vault.open(shop, 'refresh_token', {
          keyId: credential.keyId,
          value: credential.refreshToken,
        });
        next = await this.endpoint.refresh(shop, refreshToken);
      } else {
        // A legacy or non-expiring token has nothing to refresh it with. Rejected by Shopify,
        // or expired, only a new install helps; otherwise there is nothing to do yet.
        const expired = (credential.accessTokenExpiresAt?.getTime() ?? Infinity) <= Date.now();
        if (reason.kind === 'rejected' || expired) {
          return this.markReauth(runner, installation, 'no_refresh_token');
        }
        return runner.commitTransaction();
      }
    } catch (error) {
      if (error instanceof TokenEndpointError && REFUSED.has(error.code)) {
        return this.markReauth(runner, installation, error.code);
      }
      await runner.rollbackTransaction();
      const code = error instanceof TokenEndpointError ? error.code : 'internal';
      this.metrics.refreshes.inc({ grant_type: grant, outcome: 'failed' });
      await this.repository.recordRefreshError(shop, code).catch(() => undefined);
      this.logger.warn({ shop, grantType: grant, code }, 'token refresh failed; retried later');
      throw new TokenUnavailableError(shop, code);
    }
    await this.store(manager, installation, next);
    await runner.commitTransaction();
    this.metrics.refreshes.inc({ grant_type: grant, outcome: 'refreshed' });
    this.logger.info(
      { shop, grantType: grant, version: credential.version + 1, expiresAt: next.expiresAt },
      'token refreshed',
    );
  }

  private async store(
    manager: EntityManager,
    seen: InstallationRow,
    next: TokenGrant,
  ): Promise<void> {
    const shop = seen.shop;
    // An uninstall (or reinstall) that committed while Shopify was answering wins: its row is
    // newer than what we refreshed for, and the new token must not outlive it.
    const current = await this.repository.findInstallation(shop, manager, true);
    if (current?.status !== 'installed' || current.generation !== seen.generation) return;
    const access = this.vault.seal(shop, 'access_token', next.accessToken);
    await this.repository.storeTokens(manager, shop, {
      access,
      accessSha256: tokenSha256(next.accessToken),
      accessExpiresAt: next.expiresAt,
      refresh: next.refreshToken
        ? this.vault.seal(shop, 'refresh_token', next.refreshToken, access.keyId)
        : null,
      refreshExpiresAt: next.refreshTokenExpiresAt,
    });
    const updated = await this.repository.bumpRevision(
      manager,
      shop,
      next.scopes.length > 0 ? next.scopes : null,
    );
    await enqueueOutbox(manager, [installationChanged('installation.token_rotated', updated)]);
  }

  private async markReauth(
    runner: QueryRunner,
    installation: InstallationRow,
    code: string,
  ): Promise<never> {
    const updated = await this.repository.setStatus(
      runner.manager,
      installation.shop,
      'reauth_required',
      code,
    );
    if (updated) {
      await enqueueOutbox(runner.manager, [
        installationChanged('installation.reauth_required', updated),
      ]);
    }
    await runner.commitTransaction();
    this.metrics.reauthRequired.inc({ grant_type: installation.grantType });
    this.metrics.refreshes.inc({ grant_type: installation.grantType, outcome: 'refused' });
    this.logger.error(
      { shop: installation.shop, grantType: installation.grantType, code },
      'Shopify refused the credentials: the shop must install the app again',
    );
    throw new ReauthRequiredError(installation.shop);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
