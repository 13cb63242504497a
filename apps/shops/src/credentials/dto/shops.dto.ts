import { ApiProperty } from '@nestjs/swagger';
import type { InstallationView } from '../installations.service';

export class AccessTokenDto {
  @ApiProperty({ example: 'acme.myshopify.com' })
  shop!: string;

  @ApiProperty({ description: 'The Admin API access token. Keep it in memory only; never log it.' })
  accessToken!: string;

  @ApiProperty({ type: String, nullable: true, example: '2026-12-05T11:00:00.000Z' })
  expiresAt!: string | null;

  @ApiProperty({ type: [String], example: ['read_orders', 'write_products'] })
  scopes!: string[];

  @ApiProperty({ example: 7, description: 'Credential version: +1 at every stored token' })
  version!: number;
}

export class RefreshRequestDto {
  @ApiProperty({
    example: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    description: 'Hex SHA-256 of the token Shopify answered 401 to',
  })
  rejectedTokenSha256!: string;
}

export class TokenErrorDto {
  @ApiProperty({ enum: ['not_installed', 'reauth_required', 'token_unavailable', 'invalid_shop'] })
  code!: string;
}

export class CredentialHealthDto {
  @ApiProperty({ example: 'k2026', description: 'Id of the key the tokens are sealed with' })
  keyId!: string;

  @ApiProperty({ type: String, nullable: true, description: 'null: a non-expiring token' })
  accessTokenExpiresAt!: string | null;

  @ApiProperty()
  hasRefreshToken!: boolean;

  @ApiProperty({ type: String, nullable: true })
  refreshTokenExpiresAt!: string | null;

  @ApiProperty()
  version!: number;

  @ApiProperty()
  refreshedAt!: string;

  @ApiProperty({ enum: ['ok', 'expiring', 'expired'] })
  health!: string;
}

export class InstallationDto {
  @ApiProperty({ example: 'acme.myshopify.com' })
  shop!: string;

  @ApiProperty({ enum: ['installed', 'uninstalled', 'reauth_required'] })
  status!: string;

  @ApiProperty({ enum: ['authorization_code', 'token_exchange', 'client_credentials', 'legacy'] })
  grantType!: string;

  @ApiProperty({ type: [String] })
  scopes!: string[];

  @ApiProperty({ description: '+1 at every install: a reinstall starts clean' })
  generation!: number;

  @ApiProperty()
  installedAt!: string;

  @ApiProperty({ type: String, nullable: true })
  uninstalledAt!: string | null;

  @ApiProperty()
  updatedAt!: string;

  @ApiProperty({ type: String, nullable: true, description: "The last refresh failure's code" })
  lastRefreshError!: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastRefreshErrorAt!: string | null;

  @ApiProperty({ type: CredentialHealthDto, nullable: true, description: 'Never the token' })
  credential!: CredentialHealthDto | null;

  static from(view: InstallationView, now = Date.now()): InstallationDto {
    const c = view.credential;
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      shop: view.shop,
      status: view.status,
      grantType: view.grantType,
      scopes: view.scopes,
      generation: view.generation,
      installedAt: view.installedAt.toISOString(),
      uninstalledAt: iso(view.uninstalledAt),
      updatedAt: view.updatedAt.toISOString(),
      lastRefreshError: view.lastRefreshError,
      lastRefreshErrorAt: iso(view.lastRefreshErrorAt),
      credential: c
        ? {
            keyId: c.keyId,
            accessTokenExpiresAt: iso(c.accessTokenExpiresAt),
            hasRefreshToken: c.hasRefreshToken,
            refreshTokenExpiresAt: iso(c.refreshTokenExpiresAt),
            version: c.version,
            refreshedAt: c.refreshedAt.toISOString(),
            health: tokenHealth(c.accessTokenExpiresAt, now),
          }
        : null,
    };
  }
}

/** `expiring`: within 5 minutes, when the token API would refresh it first. */
function tokenHealth(expiresAt: Date | null, now: number): string {
  const left = expiresAt ? expiresAt.getTime() - now : Infinity;
  return left <= 0 ? 'expired' : left < 5 * 60_000 ? 'expiring' : 'ok';
}

export class InstallationListDto {
  @ApiProperty({ type: [InstallationDto] })
  shops!: InstallationDto[];
}
