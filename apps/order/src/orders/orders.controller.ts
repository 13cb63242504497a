import {
  BadRequestException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { getOrderQuery, listOrdersQuery, parseRequest } from './dto/order-query';
import { OrderDto, OrderPageDto, withoutPersonalData } from './dto/order.dto';
import { InvalidCursorError, OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop, id, limit or cursor' })
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Access('orders:read', ShopFrom.query())
  @ApiOperation({
    summary: "A page of a shop's orders, by ascending id, optionally filtered",
    description: 'Customer email, names and phone only with scope customers:read',
  })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'limit', required: false, description: '1–250, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: "The previous page's next_cursor" })
  @ApiQuery({
    name: 'financial_status',
    required: false,
    example: 'paid',
    description: 'Exact status; `null` for orders without one',
  })
  @ApiQuery({
    name: 'fulfillment_status',
    required: false,
    example: 'fulfilled',
    description: 'Exact status; `null` for unfulfilled orders without one',
  })
  @ApiQuery({ name: 'cancelled', required: false, enum: ['true', 'false'] })
  @ApiQuery({
    name: 'created_from',
    required: false,
    description: 'ISO 8601; orders created at or after',
  })
  @ApiQuery({ name: 'created_to', required: false, description: 'ISO 8601; created before' })
  @ApiOkResponse({ type: OrderPageDto })
  async list(
    @Query() raw: Record<string, string | undefined>,
    @Caller() caller: ApiCaller,
  ): Promise<OrderPageDto> {
    const query = parseRequest(listOrdersQuery, raw);
    const nullable = (value: string | undefined) => (value === 'null' ? null : value);
    try {
      const page = await this.orders.listOrders(query.shop, query.limit, query.cursor ?? null, {
        financialStatus: nullable(query.financial_status),
        fulfillmentStatus: nullable(query.fulfillment_status),
        cancelled: query.cancelled,
        createdFrom: query.created_from,
        createdTo: query.created_to,
      });
      return {
        orders: page.orders.map((order) => shown(OrderDto.from(order), caller)),
        next_cursor: page.nextCursor,
      };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException([error.message]);
      throw error;
    }
  }

  @Get(':id')
  @Access('orders:read', ShopFrom.query())
  @ApiOperation({
    summary: 'One order with its line items',
    description: 'Customer email, names and phone only with scope customers:read',
  })
  @ApiParam({ name: 'id', example: '820982911946154508' })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No such order in this shop' })
  async get(
    @Param('id') id: string,
    @Caller() caller: ApiCaller,
    @Query('shop') shop?: string,
  ): Promise<OrderDto> {
    const query = parseRequest(getOrderQuery, { id, shop });
    const found = await this.orders.getOrder(query.shop, query.id);
    if (!found) throw new NotFoundException('order not found');
    return shown(OrderDto.from(found.order, found.lineItems), caller);
  }
}

const shown = (order: OrderDto, caller: ApiCaller): OrderDto =>
  caller.seesPersonalData ? order : withoutPersonalData(order);
