import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { START_STREAM_OPENAPI, startStreamSchema } from './dto/start-stream.dto';
import type { StreamStatus } from './traffic/webhook-stream';
import { WebhookStreamsService, type SimulatorStats } from './webhook-streams.service';

@ApiTags('webhook simulation')
@ApiBearerAuth()
@Controller('sim/webhooks')
export class WebhooksController {
  constructor(private readonly streams: WebhookStreamsService) {}

  @Post('streams')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Start a stream of signed webhooks to the gateway; returns its id and status',
  })
  @ApiBody({ schema: START_STREAM_OPENAPI as never })
  start(@Body() body: unknown): StreamStatus {
    const parsed = startStreamSchema.safeParse(body ?? {});
    if (!parsed.success) {
      throw new BadRequestException({
        message: 'invalid stream request',
        problems: parsed.error.issues.map(
          (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
        ),
      });
    }
    return this.streams.start(parsed.data);
  }

  @Get('streams')
  @ApiOperation({ summary: 'All streams still remembered (running and recently finished)' })
  list(): StreamStatus[] {
    return this.streams.list();
  }

  @Get('streams/:id')
  @ApiOperation({ summary: 'A stream with its delivery statistics' })
  get(@Param('id') id: string): StreamStatus {
    return this.streams.get(id);
  }

  @Delete('streams/:id')
  @ApiOperation({
    summary: 'Stop a stream: no new webhooks, queued deliveries and pending retries dropped',
  })
  stop(@Param('id') id: string): StreamStatus {
    return this.streams.stop(id);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Delivery statistics for the whole simulator' })
  stats(): SimulatorStats {
    return this.streams.stats();
  }
}
