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
  dailySalesQuery,
  parseRequest,
  topProductsQuery,
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
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'from', example: '2026-11-01', description: 'First day, inclusive' })
  @ApiQuery({ name: 'to', example: '2026-11-30', description: 'Last day, inclusive (≤ 366 days)' })
  @ApiOkResponse({ type: DailySalesResponse })
  async daily(
    @Query('shop') shop?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<DailySalesResponseDto> {
    const query = parseRequest(dailySalesQuery, { shop, from, to });
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
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'from', example: '2026-11-01' })
  @ApiQuery({ name: 'to', example: '2026-11-30' })
  @ApiQuery({
    name: 'by',
    required: false,
    enum: ['units', 'revenue'],
    description: 'Default units',
  })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 10' })
  @ApiOkResponse({ type: TopProductsResponseDto })
  async top(
    @Query('shop') shop?: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
    @Query('by') by?: string,
    @Query('limit') limit?: string,
  ): Promise<TopProductsResponseDto> {
    const query = parseRequest(topProductsQuery, { shop, from, to, by, limit });
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
