import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  ByItemQueryDto,
  ByLocationQueryDto,
  BySkuQueryDto,
  LevelDto,
  LevelListDto,
  LevelPageDto,
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
  @ApiOkResponse({ type: LevelListDto })
  async byItem(@Query() query: ByItemQueryDto): Promise<LevelListDto> {
    const rows = await this.inventory.levelsByItem(query.shop, query.inventory_item_id);
    return { levels: rows.map((row) => LevelDto.from(row)) };
  }

  @Get('by-sku')
  @Access('inventory:read', ShopFrom.query())
  @ApiOperation({ summary: 'Levels of the inventory items with this SKU, at every location' })
  @ApiOkResponse({ type: LevelListDto })
  async bySku(@Query() query: BySkuQueryDto): Promise<LevelListDto> {
    const rows = await this.inventory.levelsBySku(query.shop, query.sku);
    return { levels: rows.map((row) => LevelDto.from(row)) };
  }

  @Get('by-location')
  @Access('inventory:read', ShopFrom.query())
  @ApiOperation({ summary: "A page of a location's levels, by ascending inventory item id" })
  @ApiOkResponse({ type: LevelPageDto })
  async byLocation(@Query() query: ByLocationQueryDto): Promise<LevelPageDto> {
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
