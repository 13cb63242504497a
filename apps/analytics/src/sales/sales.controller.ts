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
  DailySalesQueryDto,
  TopProductsQueryDto,
  type DailySalesResponseDto,
  DailySalesResponseDto as DailySalesResponse,
  TopProductsResponseDto,
} from './dto/sales.dto';
import { Access, ShopFrom } from '@shopwire/http';
import { SalesService } from './sales.service';

@ApiTags('sales')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop, dates, by or limit' })
@Controller()
export class SalesController {
  constructor(private readonly sales: SalesService) {}

  @Get('sales/daily')
  @Access('analytics:read', ShopFrom.query())
  @ApiOperation({ summary: "A shop's sales per UTC day and currency over a date range" })
  @ApiOkResponse({ type: DailySalesResponse })
  async daily(@Query() query: DailySalesQueryDto): Promise<DailySalesResponseDto> {
    const { days, totals } = await this.sales.dailySales(query.shop, query.from, query.to);
    const figures = ({ currency, orders, gross, tax, discounts }: (typeof days)[number]) => ({
      currency,
      orders: Number(orders),
      gross,
      tax,
      discounts,
    });
    return {
      shop: query.shop,
      from: query.from,
      to: query.to,
      days: days.map((row) => ({ day: row.day, ...figures(row) })),
      totals: totals.map(figures),
    };
  }

  @Get('products/top')
  @Access('analytics:read', ShopFrom.query())
  @ApiOperation({ summary: 'Best-selling products over a date range, by units or revenue' })
  @ApiOkResponse({ type: TopProductsResponseDto })
  async top(@Query() query: TopProductsQueryDto): Promise<TopProductsResponseDto> {
    const rows = await this.sales.topProducts(
      query.shop,
      query.from,
      query.to,
      query.by,
      query.limit,
    );
    return {
      by: query.by,
      products: rows.map((row) => ({ ...row, units: Number(row.units) })),
    };
  }
}
