import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  byItemQuery,
  byLocationQuery,
  bySkuQuery,
  LevelDto,
  LevelListDto,
  LevelPageDto,
  parseRequest,
} from './dto/level.dto';
import { Access, ShopFrom } from '@shopwire/http';
import { InventoryService } from './inventory.service';

/** Inventory levels, always within one shop. Live from Postgres: levels are never cached. */
@ApiTags('levels')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop or filter' })
@Controller('levels')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get('by-item')
  @Access('inventory:read', ShopFrom.query())
  @ApiOperation({ summary: "An inventory item's levels at every location" })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'inventory_item_id', example: '808950810' })
  @ApiOkResponse({ type: LevelListDto })
  async byItem(
    @Query('shop') shop?: string,
    @Query('inventory_item_id') inventoryItemId?: string,
  ): Promise<LevelListDto> {
    const query = parseRequest(byItemQuery, { shop, inventory_item_id: inventoryItemId });
    const rows = await this.inventory.levelsByItem(query.shop, query.inventory_item_id);
    return { levels: rows.map((row) => LevelDto.from(row)) };
  }

  @Get('by-sku')
  @Access('inventory:read', ShopFrom.query())
  @ApiOperation({ summary: 'Levels of the inventory items with this SKU, at every location' })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'sku', example: 'IPOD2008PINK' })
  @ApiOkResponse({ type: LevelListDto })
  async bySku(@Query('shop') shop?: string, @Query('sku') sku?: string): Promise<LevelListDto> {
    const query = parseRequest(bySkuQuery, { shop, sku });
    const rows = await this.inventory.levelsBySku(query.shop, query.sku);
    return { levels: rows.map((row) => LevelDto.from(row)) };
  }

  @Get('by-location')
  @Access('inventory:read', ShopFrom.query())
  @ApiOperation({ summary: "A page of a location's levels, by ascending inventory item id" })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'location_id', example: '655441491' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  @ApiQuery({ name: 'after', required: false, description: "The previous page's next_after" })
  @ApiOkResponse({ type: LevelPageDto })
  async byLocation(
    @Query('shop') shop?: string,
    @Query('location_id') locationId?: string,
    @Query('limit') limit?: string,
    @Query('after') after?: string,
  ): Promise<LevelPageDto> {
    const query = parseRequest(byLocationQuery, { shop, location_id: locationId, limit, after });
    // One extra row tells whether another page follows without a count query.
    const rows = await this.inventory.levelsByLocation(
      query.shop,
      query.location_id,
      query.after ?? null,
      query.limit + 1,
    );
    const page = rows.slice(0, query.limit);
    return {
      levels: page.map((row) => LevelDto.from(row)),
      next_after: rows.length > query.limit ? page[page.length - 1].inventory_item_id : null,
    };
  }
}
