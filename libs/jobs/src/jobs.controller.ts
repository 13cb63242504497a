import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  ServiceUnavailableException,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Access, ApiCaller, Caller, ShopFrom } from '@shopwire/http';
import { isInfrastructureError } from '@shopwire/kafka';
import type { FastifyReply } from 'fastify';
import { JobIdParamsDto, ListJobsQueryDto } from './dto/job-query';
import { JobDto, JobListDto, SubmitJobDto } from './dto/job.dto';
import type { JobRecord } from './job';
import type { JobsRuntime } from './jobs-runtime';
import { JOBS_RUNTIME } from './jobs.tokens';
import { jobLocation, toJobView, type JobView } from './job-view';

/**
 * The service's async jobs, behind the app's `ApiAccessGuard`: a job belongs to the credential
 * that submitted it (and its shop, `params.shop`); only that credential, or one with
 * `jobs:admin` covering the shop, sees, fetches or cancels it. A submission is
 * validated by its job type and stored with its dispatch message in one transaction; 202 and a
 * Location to poll. Cancelling a running job is asynchronous: the worker notices within about a
 * second (`JOBS_TICK_MS`).
 */
@ApiTags('jobs')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or unknown bearer token' })
@ApiServiceUnavailableResponse({ description: 'Postgres is unavailable; retry later' })
@Controller('jobs')
export class JobsController {
  constructor(@Inject(JOBS_RUNTIME) private readonly jobs: JobsRuntime) {}

  @Post()
  @Access('jobs:write', ShopFrom.body('params.shop'))
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit a job', description: 'Answers 202 with Location: /jobs/<id>' })
  @ApiBody({ type: SubmitJobDto })
  @ApiAcceptedResponse({ type: JobDto })
  @ApiBadRequestResponse({
    description: 'Unknown type, invalid params or callback URL; nothing stored',
  })
  async submit(
    @Body() body: unknown,
    @Caller() caller: ApiCaller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobView> {
    const submission = this.jobs.validate(body);
    if (!submission.ok) throw new BadRequestException(submission.errors);
    const refused = await this.jobs.checkCallback(submission);
    if (refused) throw new BadRequestException([refused]);
    const job = await database(() => this.jobs.submit(submission, caller.name));
    void reply.header('location', jobLocation(job.id));
    return toJobView(job);
  }

  @Get()
  @Access('jobs:read', ShopFrom.filtered)
  @ApiOperation({
    summary: 'Jobs, newest first, a page at a time (`limit`, `cursor` → `next_cursor`)',
    description: "The caller's own jobs (every submitter's with jobs:admin), of its shops",
  })
  @ApiOkResponse({ type: JobListDto })
  async list(
    @Query() q: ListJobsQueryDto,
    @Caller() caller: ApiCaller,
  ): Promise<{ jobs: JobView[]; next_cursor: string | null }> {
    const { cursor, limit, ...filter } = q;
    // One row more than the page tells whether another page follows.
    const jobs = await database(() =>
      this.jobs.store.list({
        ...filter,
        limit: limit + 1,
        after: cursor,
        submittedBy: caller.has('jobs:admin') ? undefined : caller.name,
        shops: caller.shopFilter() ?? undefined,
      }),
    );
    const page = jobs.slice(0, limit);
    return {
      jobs: page.map(toJobView),
      next_cursor: jobs.length > limit ? page[page.length - 1]!.id : null,
    };
  }

  @Get(':id')
  @Access('jobs:read', ShopFrom.resource)
  @ApiOperation({ summary: 'One job: status, progress, result link, error' })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ description: 'No such job' })
  async get(@Param() { id }: JobIdParamsDto, @Caller() caller: ApiCaller): Promise<JobView> {
    const job = await database(() => this.jobs.store.get(id));
    if (!job) throw new NotFoundException('job not found');
    assertVisible(job, caller);
    return toJobView(job);
  }

  @Get(':id/result')
  @Access('jobs:read', ShopFrom.resource)
  @ApiOperation({ summary: "A succeeded job's result, with its content type" })
  @ApiProduces('text/csv', 'application/json', 'application/octet-stream')
  @ApiOkResponse({ description: 'The result bytes' })
  @ApiNotFoundResponse({ description: 'No such job' })
  @ApiConflictResponse({ description: 'The job has not succeeded (yet)' })
  async result(
    @Param() { id }: JobIdParamsDto,
    @Caller() caller: ApiCaller,
  ): Promise<StreamableFile> {
    const job = await database(() => this.jobs.store.get(id));
    if (!job) throw new NotFoundException('job not found');
    assertVisible(job, caller);
    if (job.status !== 'succeeded' || !job.result) {
      throw new ConflictException(`job has no result (status ${job.status})`);
    }
    const body = await database(() => this.jobs.store.readOutput(job.id));
    return new StreamableFile(body, {
      type: job.result.contentType,
      length: body.length,
      disposition: job.result.filename
        ? `attachment; filename="${job.result.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`
        : undefined,
    });
  }

  @Delete(':id')
  @Access('jobs:write', ShopFrom.resource)
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      '200 when it is cancelled now (it was queued, or already cancelled); 202 while a running ' +
      'job is being stopped (poll it; it becomes cancelled within about a second).',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiAcceptedResponse({ type: JobDto })
  @ApiNotFoundResponse({ description: 'No such job' })
  @ApiConflictResponse({ description: 'The job already succeeded or failed' })
  async cancel(
    @Param() { id }: JobIdParamsDto,
    @Caller() caller: ApiCaller,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const known = await database(() => this.jobs.store.get(id));
    if (!known) throw new NotFoundException('job not found');
    assertVisible(known, caller);
    const outcome = await database(() => this.jobs.store.requestCancel(known.id));
    switch (outcome.kind) {
      case 'not-found':
        throw new NotFoundException('job not found');
      case 'finished':
        if (outcome.job.status !== 'cancelled') {
          throw new ConflictException(`job already ${outcome.job.status}`);
        }
        await reply.status(200).send(toJobView(outcome.job));
        return;
      case 'cancelled':
        this.jobs.metrics.entered(outcome.job.type, 'cancelled');
        if (outcome.job.callbackUrl) this.jobs.callbacks.wake();
        await reply.status(200).send(toJobView(outcome.job));
        return;
      case 'cancelling':
        await reply.status(202).send(toJobView(outcome.job));
        return;
    }
  }
}

/** 403 unless the caller submitted the job, or holds jobs:admin; and covers the job's shop. */
function assertVisible(job: JobRecord, caller: ApiCaller): void {
  if (job.submittedBy !== caller.name && !caller.has('jobs:admin')) {
    throw new ForbiddenException('the job belongs to another credential');
  }
  const params = job.params as { shop?: unknown } | null;
  caller.assertShop(typeof params?.shop === 'string' ? params.shop : null);
}

/** An unreachable database is the caller's "try again later" (503), not a server bug (500). */
async function database<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isInfrastructureError(error)) throw new ServiceUnavailableException('database unavailable');
    throw error;
  }
}
