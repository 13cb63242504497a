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
import { getOrderQuery, listOrdersQuery, parseRequest } from './dto/order-query';
import { OrderDto, OrderPageDto } from './dto/order.dto';
import { InvalidCursorError, OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Missing or malformed shop, id, limit or cursor' })
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @ApiOperation({ summary: "A page of a shop's orders, by ascending id" })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'limit', required: false, description: '1–250, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: "The previous page's next_cursor" })
  @ApiOkResponse({ type: OrderPageDto })
  async list(
    @Query('shop') shop?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<OrderPageDto> {
    const query = parseRequest(listOrdersQuery, { shop, limit, cursor });
    try {
      const page = await this.orders.listOrders(query.shop, query.limit, query.cursor ?? null);
      return {
        orders: page.orders.map((order) => OrderDto.from(order)),
        next_cursor: page.nextCursor,
      };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException([error.message]);
      throw error;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'One order with its line items' })
  @ApiParam({ name: 'id', example: '820982911946154508' })
  @ApiQuery({ name: 'shop', example: 'acme.myshopify.com' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No such order in this shop' })
  async get(@Param('id') id: string, @Query('shop') shop?: string): Promise<OrderDto> {
    const query = parseRequest(getOrderQuery, { id, shop });
    const found = await this.orders.getOrder(query.shop, query.id);
    if (!found) throw new NotFoundException('order not found');
    return OrderDto.from(found.order, found.lineItems);
  }
}
