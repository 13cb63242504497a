import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from '@shopwire/config';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { createZodDto } from 'nestjs-zod';
import { shopParameter, ShopQueryDto } from '../orders/dto/order-query';
import { PrivacyRepository, type ExportRow, type ShopRow } from './privacy.repository';

class ListExportsQueryDto extends createZodDto(
  z.object({
    shop: shopParameter,
    customer_id: z
      .string()
      .regex(/^\d{1,19}$/, 'customer_id must be a Shopify customer id')
      .optional()
      .describe('Only the exports of this Shopify customer'),
  }),
) {}
class ExportIdParamsDto extends createZodDto(
  z.object({ id: z.string().uuid('id must be an export id (uuid)') }),
) {}
class ShopParamsDto extends createZodDto(z.object({ shop: shopParameter })) {}

export class PrivacyExportSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() shop_domain!: string;
  @ApiProperty({ type: String, nullable: true }) customer_id!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "Shopify's data_request.id" })
  data_request_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() order_count!: number;

  static from(row: ExportRow): PrivacyExportSummaryDto {
    return {
      id: row.id,
      shop_domain: row.shop_domain,
      customer_id: row.customer_id,
      data_request_id: row.data_request_id,
      created_at: row.created_at.toISOString(),
      order_count: row.order_count,
    };
  }
}

export class PrivacyExportDto extends PrivacyExportSummaryDto {
  @ApiProperty({
    type: Object,
    description: 'What the order service holds for the customer: their orders with all fields',
  })
  export!: unknown;
}

export class PrivacyRequestDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ example: 'customers/redact', description: 'The compliance topic' }) kind!: string;
  @ApiProperty() shop_domain!: string;
  @ApiProperty({ type: String, nullable: true }) shop_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) customer_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) data_request_id!: string | null;
  @ApiProperty() webhook_id!: string;
  @ApiProperty({ format: 'date-time' }) received_at!: string;
  @ApiProperty({ format: 'date-time' }) completed_at!: string;
  @ApiProperty({ description: 'Order rows erased or exported' }) rows_affected!: number;
}

export class ShopDto {
  @ApiProperty() shop_domain!: string;
  @ApiProperty({ description: 'false after app/uninstalled (or shop/redact)' }) active!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) uninstalled_at!:
    string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) redacted_at!: string | null;

  static from(domain: string, row: ShopRow | null): ShopDto {
    return {
      shop_domain: domain,
      active: row?.active ?? true,
      uninstalled_at: row?.uninstalled_at?.toISOString() ?? null,
      redacted_at: row?.redacted_at?.toISOString() ?? null,
    };
  }
}

@ApiTags('privacy')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed parameter' })
@Controller()
export class PrivacyController {
  constructor(private readonly repository: PrivacyRepository) {}

  @Get('privacy/exports')
  @Access('customers:read', ShopFrom.query())
  @ApiOperation({ summary: 'Data exports built for customers/data_request, newest first' })
  @ApiOkResponse({ type: [PrivacyExportSummaryDto] })
  async listExports(@Query() query: ListExportsQueryDto): Promise<PrivacyExportSummaryDto[]> {
    const rows = await this.repository.listExports(query.shop, query.customer_id ?? null);
    return rows.map((row) => PrivacyExportSummaryDto.from(row));
  }

  @Get('privacy/exports/:id')
  @Access('customers:read', ShopFrom.resource)
  @ApiOperation({ summary: 'One data export with its content' })
  @ApiOkResponse({ type: PrivacyExportDto })
  @ApiNotFoundResponse({ description: 'No such export (or erased by a redact since)' })
  async getExport(
    @Param() params: ExportIdParamsDto,
    @Caller() caller: ApiCaller,
  ): Promise<PrivacyExportDto> {
    const row = await this.repository.findExport(params.id);
    if (!row) throw new NotFoundException('export not found');
    caller.assertShop(row.shop_domain);
    return { ...PrivacyExportSummaryDto.from(row), export: row.export };
  }

  @Get('privacy/requests')
  @Access('privacy:read', ShopFrom.query())
  @ApiOperation({ summary: "A shop's privacy requests and what was done (no personal data)" })
  @ApiOkResponse({ type: [PrivacyRequestDto] })
  async listRequests(@Query() query: ShopQueryDto): Promise<Record<string, unknown>[]> {
    return this.repository.listRequests(query.shop);
  }

  @Get('shops/:shop')
  @Access('shops:read', ShopFrom.param())
  @ApiOperation({ summary: 'Whether the app is installed on the shop, as far as webhooks tell' })
  @ApiOkResponse({ type: ShopDto })
  async getShop(@Param() params: ShopParamsDto): Promise<ShopDto> {
    return ShopDto.from(params.shop, await this.repository.findShop(params.shop));
  }
}
