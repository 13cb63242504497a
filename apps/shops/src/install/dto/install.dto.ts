import { ApiProperty } from '@nestjs/swagger';

/** What every install answers: the shop and what was granted — never a token. */
export class InstallOutcomeDto {
  @ApiProperty({ example: 'acme.myshopify.com' })
  shop!: string;

  @ApiProperty({ enum: ['authorization_code', 'token_exchange', 'client_credentials', 'legacy'] })
  grantType!: string;

  @ApiProperty({ type: [String], example: ['read_orders', 'write_products'] })
  scopes!: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-05T11:00:00.000Z',
    description: 'When the access token expires; null for a non-expiring token',
  })
  expiresAt!: string | null;
}

export class InstallRefusalDto {
  @ApiProperty({
    example: 'bad_hmac',
    description: 'Why: the label of shopwire_shops_install_refused_total{reason}',
  })
  error!: string;

  @ApiProperty({ example: 'the callback is not signed by Shopify for this app' })
  message!: string;
}

export class LegacyTokenDto {
  @ApiProperty({
    description:
      "The admin-created app's Admin API access token (shpat_…). Checked with one Admin API call, then stored encrypted; never shown again.",
    example: 'shpat_0123456789abcdef0123456789abcdef',
  })
  accessToken!: string;
}
