import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '@shopwire/http';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ErpService,
  type ErpCallRecord,
  type ErpOrderRecord,
  type ErpRedaction,
  type ErpStats,
} from './erp.service';
import { erpFaultsSchema, FaultsError, parseFaults, type ErpFaults } from './third-party-faults';

// IDs as strings: the ERP must never see an order id rounded through a JS number.
const erpOrderSchema = z
  .object({
    shopDomain: z.string().min(1).max(255),
    orderId: z.string().regex(/^\d{1,20}$/),
  })
  .passthrough();

// The scope is explicit: a customer redaction with no customer id (a guest) is scoped to the
// orders it names, and one that names neither is refused — it never becomes "the whole shop".
const erpRedactSchema = z
  .discriminatedUnion('scope', [
    z
      .object({
        shopDomain: z.string().min(1).max(255),
        scope: z.literal('customer'),
        customerId: z
          .string()
          .regex(/^\d{1,20}$/)
          .nullable(),
        orderIds: z.array(z.string().regex(/^\d{1,20}$/)).max(10_000),
      })
      .strict(),
    z.object({ shopDomain: z.string().min(1).max(255), scope: z.literal('shop') }).strict(),
  ])
  .superRefine((r, ctx) => {
    if (r.scope === 'customer' && r.customerId === null && r.orderIds.length === 0)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'a customer redaction names a customerId or at least one order id',
        path: ['orderIds'],
      });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function badRequest(problems: string[]): BadRequestException {
  return new BadRequestException({ message: 'invalid request', problems });
}

/**
 * The ERP stand-in. Its intake (`POST /sim/erp/orders`, `POST /sim/erp/redact`) takes any caller,
 * as a partner's endpoint reached with its own credentials would; inspecting it and injecting
 * faults needs the simulator's bearer token.
 */
@ApiTags('third parties: ERP')
@ApiBearerAuth()
@Controller('sim/erp')
export class ErpController {
  constructor(private readonly erp: ErpService) {}

  @Post('orders')
  @PublicRoute()
  @ApiOperation({
    summary: 'Receive an order (idempotent by shop + order id); 201 new, 200 repeat',
  })
  async receive(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ status: 'created' | 'duplicate'; orderId: string } | { error: string } | void> {
    const fault = this.erp.drawFault();
    if (this.erp.delayMs > 0) await sleep(this.erp.delayMs);
    if (fault.kind === 'down') {
      // No answer at all: the caller sees the connection drop, as with a dead host.
      reply.raw.destroy();
      return;
    }
    const parsed = erpOrderSchema.safeParse(body);
    if (!parsed.success)
      throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const { shopDomain, orderId } = parsed.data;
    if (fault.kind === 'error') {
      this.erp.noteCall(shopDomain, orderId, 503);
      reply.status(503);
      return { error: 'unavailable (injected fault)' };
    }
    if (fault.kind === 'throttled') {
      this.erp.noteCall(shopDomain, orderId, 429);
      reply.status(429).header('retry-after', fault.retryAfter);
      return { error: 'throttled (injected fault)' };
    }
    const { created } = this.erp.record(shopDomain, orderId, idempotencyKey ?? null, parsed.data);
    this.erp.noteCall(shopDomain, orderId, created ? 201 : 200);
    reply.status(created ? 201 : 200);
    return { status: created ? 'created' : 'duplicate', orderId: parsed.data.orderId };
  }

  @Post('redact')
  @PublicRoute()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Erase a customer ({scope:"customer", customerId, orderIds}) or a shop ({scope:"shop"}); 400 when it names nobody',
  })
  redact(@Body() body: unknown): ErpRedaction {
    const parsed = erpRedactSchema.safeParse(body);
    if (!parsed.success)
      throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    return this.erp.redact(parsed.data);
  }

  @Get('orders')
  @ApiOperation({ summary: 'Orders received, with their duplicate counts and every call made' })
  list(
    @Query('shop') shop?: string,
    @Query('orderId') orderId?: string,
  ): (ErpOrderRecord & { calls: ErpCallRecord[] })[] {
    return this.erp.list(shop, orderId).map((record) => ({
      ...record,
      calls: this.erp.callsFor(record.shopDomain, record.orderId),
    }));
  }

  @Get('calls')
  @ApiOperation({
    summary: 'Every call made for one order, with the status it got (faults included)',
  })
  calls(@Query('shop') shop = '', @Query('orderId') orderId = ''): ErpCallRecord[] {
    return this.erp.callsFor(shop, orderId);
  }

  @Get('redactions')
  @ApiOperation({ summary: 'Redaction requests received' })
  redactions(@Query('shop') shop?: string): ErpRedaction[] {
    return this.erp.listRedactions(shop);
  }

  @Get('stats')
  stats(): ErpStats {
    return this.erp.stats();
  }

  @Delete('orders')
  @ApiOperation({ summary: 'Forget every order and redaction received' })
  clear(): ErpStats {
    this.erp.clear();
    return this.erp.stats();
  }

  @Get('faults')
  faults(): ErpFaults {
    return this.erp.getFaults();
  }

  @Post('faults')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set faults: {errorRate, status429Rate, retryAfter, delayMs, down}' })
  setFaults(@Body() body: unknown): ErpFaults {
    try {
      return this.erp.setFaults(parseFaults(erpFaultsSchema, body));
    } catch (error) {
      if (error instanceof FaultsError) throw badRequest(error.problems);
      throw error;
    }
  }
}
