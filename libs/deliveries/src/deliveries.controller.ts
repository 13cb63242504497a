import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ShopFrom } from '@shopwire/http';
import { DeliveriesRepository } from './deliveries.repository';
import { DELIVERIES_SERVICE_NAME } from './deliveries.tokens';
import { DeliveryCursorError } from './delivery-cursor';
import { ListDeliveriesQueryDto } from './dto/delivery-query';
import { DeliveryDto, DeliveryListDto } from './dto/delivery.dto';

/**
 * This service's delivery journal (docs/adr/0011), behind the app's `ApiAccessGuard`: the scope
 * `deliveries:read`, and a credential limited to shops names one of them (`?shop=`).
 */
@ApiTags('deliveries')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Malformed filter or cursor' })
@Controller('deliveries')
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    @Inject(DELIVERIES_SERVICE_NAME) private readonly service: string,
  ) {}

  @Get()
  @Access('deliveries:read', ShopFrom.query())
  @ApiOperation({
    summary: "What this service's consumers did with each message, newest first",
    description:
      'Accepted (Kafka time, topic, partition, offset), processed, outcome, attempts, error ' +
      'class and trace id, per consumer group. No payloads.',
  })
  @ApiOkResponse({ type: DeliveryListDto })
  async list(@Query() q: ListDeliveriesQueryDto): Promise<DeliveryListDto> {
    try {
      const page = await this.deliveries.list(
        {
          shop: q.shop,
          webhookId: q.webhookId,
          resourceId: q.resourceId,
          topic: q.topic,
          from: q.from,
          to: q.to,
          outcome: q.outcome,
        },
        q.limit,
        q.cursor ?? null,
      );
      return {
        items: page.items.map((item) => DeliveryDto.from(this.service, item)),
        nextCursor: page.nextCursor,
      };
    } catch (error) {
      if (error instanceof DeliveryCursorError) throw new BadRequestException([error.message]);
      throw error;
    }
  }
}
