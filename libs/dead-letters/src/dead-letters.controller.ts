import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { isInfrastructureError } from '@shopwire/kafka';
import { getQuery, listQuery, parseRequest, replayBody } from './dto/dead-letter-query';
import {
  DeadLetterDetailDto,
  DeadLetterListDto,
  DeadLetterSummaryDto,
  ReplayRequestDto,
  ReplayResultDto,
} from './dto/dead-letter.dto';
import { DeadLetterCursorError } from './dead-letter-store';
import { DeadLettersService } from './dead-letters.service';

/**
 * This service's dead letters, behind the app's `ApiAccessGuard`. Listing and metadata need
 * `dead-letters:read`; a raw payload (it may hold personal data) and replays need
 * `ops:dead-letters`. A credential limited to shops names one of them and sees only its letters.
 */
@ApiTags('dead-letters')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiBadRequestResponse({ description: 'Malformed id, filter or body' })
@ApiServiceUnavailableResponse({ description: 'Kafka is unavailable; retry later' })
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @Get()
  @Access('dead-letters:read', ShopFrom.query())
  @ApiOperation({ summary: "This service's dead letters, oldest first (no payloads)" })
  @ApiQuery({ name: 'source_topic', required: false, example: 'shopify.orders.v1' })
  @ApiQuery({ name: 'since', required: false, description: 'Dead-lettered at or after (ISO 8601)' })
  @ApiQuery({ name: 'error_type', required: false, example: 'OrderPayloadError' })
  @ApiQuery({ name: 'shop', required: false, example: 'acme.myshopify.com' })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'replayed', 'all'] })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'next_cursor of the previous page; pages read a bounded part of each DLQ',
  })
  @ApiOkResponse({ type: DeadLetterListDto })
  async list(@Query() query: Record<string, unknown>): Promise<DeadLetterListDto> {
    const q = parseRequest(listQuery, query);
    const page = await kafkaCall(() =>
      this.deadLetters.list(
        {
          sourceTopic: q.source_topic,
          since: q.since,
          errorType: q.error_type,
          shop: q.shop,
          status: q.status,
        },
        { limit: q.limit, cursor: q.cursor ?? null },
      ),
    );
    return {
      dead_letters: page.letters.map((letter) => DeadLetterSummaryDto.from(letter)),
      total: page.letters.length,
      next_cursor: page.nextCursor,
    };
  }

  @Get(':id')
  @Access('dead-letters:read', ShopFrom.resource)
  @ApiOperation({ summary: 'One dead letter: metadata, headers, size; the payload on request' })
  @ApiParam({ name: 'id', example: 'shopify.orders.v1.dlq:2:17' })
  @ApiQuery({ name: 'payload', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({ type: DeadLetterDetailDto })
  @ApiNotFoundResponse({ description: 'No such dead letter for this service' })
  async get(
    @Param('id') id: string,
    @Caller() caller: ApiCaller,
    @Query('payload') payload?: string,
  ): Promise<DeadLetterDetailDto> {
    const q = parseRequest(getQuery, { id, payload });
    const withPayload = q.payload === 'true';
    if (withPayload && !caller.has('ops:dead-letters')) {
      throw new ForbiddenException('a payload needs the scope ops:dead-letters');
    }
    const letter = await kafkaCall(() => this.deadLetters.get(q.id, withPayload));
    if (!letter) throw new NotFoundException('dead letter not found');
    caller.assertShop(letter.shop);
    return DeadLetterDetailDto.detail(letter);
  }

  @Post('replay')
  @Access('ops:dead-letters', ShopFrom.body('shop'))
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay dead letters through the same handler (by ids, or all matching a filter)',
    description:
      'Each is republished to the group retry topic with its attempt count reset and a ' +
      'replayed-from header. Already replayed ones are skipped unless force is true.',
  })
  @ApiBody({ type: ReplayRequestDto })
  @ApiOkResponse({ type: ReplayResultDto })
  async replay(@Body() body: unknown, @Caller() caller: ApiCaller): Promise<ReplayResultDto> {
    const b = parseRequest(replayBody, body ?? {});
    // The guard checked body.shop against the credential; a limited credential must give one,
    // and then replays only that shop's letters, by ids as well as by filter.
    const shop = caller.allShops ? undefined : b.shop;
    return kafkaCall(() =>
      this.deadLetters.replay(
        b.ids
          ? { ids: b.ids, force: b.force }
          : {
              filter: {
                sourceTopic: b.source_topic,
                since: b.since,
                errorType: b.error_type,
                shop: b.shop,
              },
              force: b.force,
            },
        shop,
      ),
    );
  }
}

/** An unreachable broker is the caller's "try again later" (503), not a server bug (500). */
async function kafkaCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isInfrastructureError(error)) throw new ServiceUnavailableException('Kafka is unavailable');
    if (error instanceof DeadLetterCursorError) throw new BadRequestException([error.message]);
    throw error;
  }
}
