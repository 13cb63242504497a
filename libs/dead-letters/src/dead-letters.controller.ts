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
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { isInfrastructureError } from '@shopwire/kafka';
import {
  DeadLetterIdParamsDto,
  DeadLetterPayloadQueryDto,
  ListDeadLettersQueryDto,
  ReplayRequestDto,
} from './dto/dead-letter-query';
import {
  DeadLetterDetailDto,
  DeadLetterListDto,
  DeadLetterSummaryDto,
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
  @ApiOkResponse({ type: DeadLetterListDto })
  async list(@Query() q: ListDeadLettersQueryDto): Promise<DeadLetterListDto> {
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
  @ApiOkResponse({ type: DeadLetterDetailDto })
  @ApiNotFoundResponse({ description: 'No such dead letter for this service' })
  async get(
    @Param() params: DeadLetterIdParamsDto,
    @Query() query: DeadLetterPayloadQueryDto,
    @Caller() caller: ApiCaller,
  ): Promise<DeadLetterDetailDto> {
    const withPayload = query.payload === 'true';
    if (withPayload && !caller.has('ops:dead-letters')) {
      throw new ForbiddenException('a payload needs the scope ops:dead-letters');
    }
    const letter = await kafkaCall(() => this.deadLetters.get(params.id, withPayload));
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
  @ApiOkResponse({ type: ReplayResultDto })
  async replay(@Body() b: ReplayRequestDto, @Caller() caller: ApiCaller): Promise<ReplayResultDto> {
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
