import { Inject, Injectable } from '@nestjs/common';
import type { ShopGrantType, ShopInstallationStatus } from '@shopwire/contracts';
import { enqueueOutbox, withTransaction } from '@shopwire/database';
import type { Logger } from '@shopwire/observability';
import type { DataSource } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { GrantType, TokenGrant } from '../oauth/shopify-token-endpoint';
import {
  ReauthRequiredError,
  ShopNotInstalledError,
  TokenUnavailableError,
} from './credentials.errors';
import { CredentialsMetrics } from './credentials.metrics';
import {
  CredentialsRepository,
  type CredentialHealth,
  type CredentialRow,
  type InstallationRow,
} from './credentials.repository';
import { installationChanged } from './installation-events';
import { TokenRefresher } from './token-refresher';
import { TokenVault, tokenSha256 } from './token-vault';
import { TOKEN_VAULT } from './token-vault.provider';
import { UninstalledShops } from './uninstalled-shops';

export interface Installation {
  shop: string;
  status: ShopInstallationStatus;
  grantType: ShopGrantType;
  scopes: string[];
  generation: number;
  installedAt: Date;
  uninstalledAt: Date | null;
  updatedAt: Date;
}

/** What the token API hands out. */
export interface AccessToken {
  accessToken: string;
  expiresAt: Date | null;
  scopes: string[];
  /** The credential's version (+1 at every stored token). */
  version: number;
}

/** An installation with its token's health (never the token). */
export interface InstallationView extends Installation {
  lastRefreshError: string | null;
  lastRefreshErrorAt: Date | null;
  credential: CredentialHealth | null;
}

/** Called after an install committed (e.g. to ensure the shop's webhook subscriptions). */
export type InstalledListener = (installation: Installation) => Promise<void> | void;

/**
 * The one holder of Shopify credentials: records grants (sealed), hands out access tokens
 * (refreshing first when due) and announces every change on `shops.installation.changed.v1`.
 */
@Injectable()
export class InstallationsService {
  private readonly installedListeners: InstalledListener[] = [];

  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly repository: CredentialsRepository,
    @Inject(TOKEN_VAULT) private readonly vault: TokenVault,
    private readonly refresher: TokenRefresher,
    private readonly uninstalled: UninstalledShops,
    private readonly metrics: CredentialsMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** Registers work to run after every install (failures are logged, the install stands). */
  onInstalled(listener: InstalledListener): void {
    this.installedListeners.push(listener);
  }

  /**
   * Stores a grant Shopify just issued: a first install or a reinstall starts a new generation;
   * a grant for an installed shop (scopes changed, a re-run of OAuth) replaces its tokens.
   * Installation, sealed tokens and the `installation.installed` event commit together or not
   * at all; the Redis uninstalled set is updated after the commit.
   */
  async recordGrant(shop: string, grantType: GrantType, grant: TokenGrant): Promise<Installation> {
    const row = await withTransaction(this.dataSource, async (manager) => {
      const existing = await this.repository.findInstallation(shop, manager, true);
      let installation: InstallationRow;
      if (!existing) {
        installation = await this.repository.insertInstallation(
          manager,
          shop,
          grantType,
          grant.scopes,
        );
      } else {
        const fresh = existing.status === 'uninstalled';
        // A reinstall starts clean; the uninstall already deleted the old row, this is for safety.
        if (fresh) await this.repository.deleteCredential(manager, shop);
        installation = await this.repository.reinstall(
          manager,
          shop,
          grantType,
          grant.scopes,
          fresh,
        );
      }
      const access = this.vault.seal(shop, 'access_token', grant.accessToken);
      await this.repository.storeTokens(manager, shop, {
        access,
        accessSha256: tokenSha256(grant.accessToken),
        accessExpiresAt: grant.expiresAt,
        refresh: grant.refreshToken
          ? this.vault.seal(shop, 'refresh_token', grant.refreshToken, access.keyId)
          : null,
        refreshExpiresAt: grant.refreshTokenExpiresAt,
      });
      await enqueueOutbox(manager, [installationChanged('installation.installed', installation)]);
      return installation;
    });
    await this.uninstalled.remove(shop);
    const installation = toInstallation(row);
    this.logger.info(
      {
        shop,
        grantType,
        generation: row.generation,
        scopes: row.scopes,
        expiresAt: grant.expiresAt,
      },
      'installation recorded',
    );
    for (const listener of this.installedListeners) {
      try {
        await listener(installation);
      } catch (error) {
        this.logger.warn({ shop, err: (error as Error).message }, 'after-install step failed');
      }
    }
    return installation;
  }

  /**
   * The shop's access token, refreshed first when it is due. Throws ShopNotInstalledError,
   * ReauthRequiredError, or TokenUnavailableError (a due refresh failed and the stored token
   * has expired).
   */
  async accessToken(shop: string): Promise<AccessToken> {
    let usable = await this.usableCredential(shop);
    const credential = usable.credential;
    if (this.refresher.isDue(credential)) {
      try {
        await this.refresher.refresh(shop, { kind: 'due' }, { waitIfBusy: true });
      } catch (error) {
        // Not expired yet: the current token still works; the loop tries again soon.
        const stillValid = (credential.accessTokenExpiresAt?.getTime() ?? Infinity) > Date.now();
        if (!(error instanceof TokenUnavailableError) || !stillValid) throw this.counted(error);
      }
      usable = await this.usableCredential(shop);
    }
    return this.open(usable);
  }

  /**
   * After Shopify answered 401 to `rejectedSha256`: refreshes only when the stored token is still
   * that one, so N replicas reporting the same 401 cause one refresh; otherwise answers the
   * current token.
   */
  async refreshRejected(shop: string, rejectedSha256: string): Promise<AccessToken> {
    const { credential } = await this.usableCredential(shop);
    if (credential.accessTokenSha256 === rejectedSha256.toLowerCase()) {
      try {
        await this.refresher.refresh(
          shop,
          { kind: 'rejected', sha256: rejectedSha256.toLowerCase() },
          { waitIfBusy: true },
        );
      } catch (error) {
        throw this.counted(error);
      }
    }
    return this.open(await this.usableCredential(shop));
  }

  async get(shop: string): Promise<InstallationView | null> {
    return (await this.list()).find((view) => view.shop === shop) ?? null;
  }

  async list(): Promise<InstallationView[]> {
    const rows = await this.repository.listInstallations();
    return rows.map((row) => ({
      ...toInstallation(row),
      lastRefreshError: row.lastRefreshError,
      lastRefreshErrorAt: row.lastRefreshErrorAt,
      credential: row.credential,
    }));
  }

  private async usableCredential(
    shop: string,
  ): Promise<{ installation: InstallationRow; credential: CredentialRow }> {
    const { installation, credential } = await this.repository.findBoth(shop);
    try {
      if (installation?.status === 'reauth_required') throw new ReauthRequiredError(shop);
      if (installation?.status !== 'installed' || !credential)
        throw new ShopNotInstalledError(shop);
      return { installation, credential };
    } catch (error) {
      throw this.counted(error);
    }
  }

  private open({
    installation,
    credential,
  }: {
    installation: InstallationRow;
    credential: CredentialRow;
  }): AccessToken {
    const accessToken = this.vault.open(credential.shop, 'access_token', {
      keyId: credential.keyId,
      value: credential.accessToken,
    });
    this.metrics.tokensServed.inc({ outcome: 'ok' });
    return {
      accessToken,
      expiresAt: credential.accessTokenExpiresAt,
      scopes: installation.scopes,
      version: credential.version,
    };
  }

  private counted(error: unknown): unknown {
    const outcome =
      error instanceof ShopNotInstalledError
        ? 'not_installed'
        : error instanceof ReauthRequiredError
          ? 'reauth_required'
          : 'unavailable';
    this.metrics.tokensServed.inc({ outcome });
    return error;
  }
}

function toInstallation(row: InstallationRow): Installation {
  return {
    shop: row.shop,
    status: row.status,
    grantType: row.grantType,
    scopes: row.scopes,
    generation: row.generation,
    installedAt: row.installedAt,
    uninstalledAt: row.uninstalledAt,
    updatedAt: row.updatedAt,
  };
}
