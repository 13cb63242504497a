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
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { ListOrdersQueryDto, OrderIdParamsDto, ShopQueryDto } from './dto/order-query';
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
  @ApiOkResponse({ type: OrderPageDto })
  async list(
    @Query() query: ListOrdersQueryDto,
    @Caller() caller: ApiCaller,
  ): Promise<OrderPageDto> {
    const nullable = (value: string | undefined) => (value === 'null' ? null : value);
    try {
      const page = await this.orders.listOrders(query.shop, query.limit, query.cursor ?? null, {
        financialStatus: nullable(query.financial_status),
        fulfillmentStatus: nullable(query.fulfillment_status),
        cancelled: query.cancelled,
        createdFrom: query.created_from,
        createdTo: query.created_to,
        name: query.name,
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
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No such order in this shop' })
  async get(
    @Param() params: OrderIdParamsDto,
    @Query() query: ShopQueryDto,
    @Caller() caller: ApiCaller,
  ): Promise<OrderDto> {
    const found = await this.orders.getOrder(query.shop, params.id);
    if (!found) throw new NotFoundException('order not found');
    return shown(OrderDto.from(found.order, found.lineItems), caller);
  }
}

const shown = (order: OrderDto, caller: ApiCaller): OrderDto =>
  caller.seesPersonalData ? order : withoutPersonalData(order);
