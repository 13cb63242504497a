import { ApiProperty } from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { isPositiveId, isShopDomain } from '@shopwire/contracts';
import { createZodDto } from 'nestjs-zod';
import type { LevelRow } from '../inventory.repository';

// Each query schema validates its request input (the global ZodValidationPipe of @shopwire/http)
// and is that input's OpenAPI schema.
const shop = z
  .string({ required_error: 'shop is required' })
  .refine(isShopDomain, 'shop must be a *.myshopify.com domain')
  .describe('The shop, e.g. acme.myshopify.com');
const id = (name: string, description: string) =>
  z
    .string({ required_error: `${name} is required` })
    .refine(isPositiveId, `${name} must be a Shopify id`)
    .describe(description);

export class ByItemQueryDto extends createZodDto(
  z.object({ shop, inventory_item_id: id('inventory_item_id', 'e.g. 808950810') }),
) {}
export class BySkuQueryDto extends createZodDto(
  z.object({
    shop,
    sku: z.string().min(1, 'sku is required').max(255).describe('e.g. IPOD2008PINK'),
  }),
) {}
export class ByLocationQueryDto extends createZodDto(
  z.object({
    shop,
    location_id: id('location_id', 'e.g. 655441491'),
    limit: z.coerce
      .number({ invalid_type_error: 'limit must be a number' })
      .int('limit must be an integer')
      .min(1, 'limit must be between 1 and 500')
      .max(500, 'limit must be between 1 and 500')
      .default(100)
      .describe('Levels per page'),
    after: id('after', "The previous page's next_after").optional(),
  }),
) {}

export class LevelDto {
  @ApiProperty({ example: '808950810', description: 'Shopify inventory item id (string)' })
  inventory_item_id!: string;

  @ApiProperty({ example: '655441491', description: 'Shopify location id (string)' })
  location_id!: string;

  @ApiProperty({ type: String, nullable: true, description: 'From inventory_items webhooks' })
  sku!: string | null;

  @ApiProperty({ example: 12, description: "Shopify's available quantity at this location" })
  available!: number;

  @ApiProperty({
    example: 3,
    description: "Reserved by accepted, not cancelled orders of the item's SKU",
  })
  committed!: number;

  @ApiProperty({ example: 9, description: 'available − committed' })
  sellable!: number;

  @ApiProperty({
    description: 'Below the low-stock threshold (an event was published on the way down)',
  })
  low!: boolean;

  @ApiProperty({ format: 'date-time', description: "The level's Shopify updated_at, in UTC" })
  updated_at!: string;

  @ApiProperty({ description: 'Updates skipped because they were older than this state' })
  stale_updates_skipped!: number;

  static from(row: LevelRow): LevelDto {
    return {
      inventory_item_id: row.inventory_item_id,
      location_id: row.location_id,
      sku: row.sku,
      available: row.available,
      committed: row.committed,
      sellable: row.available - row.committed,
      low: row.low,
      updated_at: row.updated_at.toISOString(),
      stale_updates_skipped: row.stale_updates_skipped,
    };
  }
}

export class LevelListDto {
  @ApiProperty({ type: [LevelDto] })
  levels!: LevelDto[];
}

export class LevelPageDto extends LevelListDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `after` for the next page; null on the last',
  })
  next_after!: string | null;
}
