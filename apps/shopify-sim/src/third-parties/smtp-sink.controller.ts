import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SmtpSinkService, type ReceivedMail, type SmtpSinkStats } from './smtp-sink.service';
import { FaultsError, parseFaults, smtpFaultsSchema, type SmtpFaults } from './third-party-faults';

@ApiTags('third parties: SMTP sink')
@ApiBearerAuth()
@Controller('sim/smtp')
export class SmtpSinkController {
  constructor(private readonly sink: SmtpSinkService) {}

  @Get('messages')
  @ApiOperation({
    summary:
      'Mail accepted by the sink; filters: to, messageId, subject (contains), header=name:value',
  })
  list(
    @Query('to') to?: string,
    @Query('messageId') messageId?: string,
    @Query('subject') subject?: string,
    @Query('header') header?: string,
  ): { count: number; messages: ReceivedMail[] } {
    const messages = this.sink.list({ to, messageId, subject, header });
    return { count: messages.length, messages };
  }

  @Delete('messages')
  @ApiOperation({ summary: 'Forget every stored message' })
  clear(): { removed: number } {
    return { removed: this.sink.clear() };
  }

  @Get('stats')
  stats(): SmtpSinkStats {
    return this.sink.stats();
  }

  @Get('faults')
  faults(): SmtpFaults {
    return this.sink.getFaults();
  }

  @Post('faults')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set faults: {rejectRate, tempFailRate, delayMs, down}' })
  async setFaults(@Body() body: unknown): Promise<SmtpFaults> {
    try {
      return await this.sink.setFaults(parseFaults(smtpFaultsSchema, body));
    } catch (error) {
      if (error instanceof FaultsError)
        throw new BadRequestException({ message: 'invalid faults', problems: error.problems });
      throw error;
    }
  }
}
