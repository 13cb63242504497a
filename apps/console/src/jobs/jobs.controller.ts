import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { AnalyticsPaths, analytics } from '@shopwire/api-client';
import type { FastifyReply } from 'fastify';
import type { Client } from 'openapi-fetch';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { decodeCursor, encodeCursor, type CrossCursor } from '../services/cross-cursor';
import { OperatorToken } from '../session/operator-session';
import { Pages, queryValue } from '../session/pages';
import { ConsoleServices } from '../services/console-services';
import {
  JOB_SERVICES,
  outcome,
  type JobService,
  type Outcome,
  type ServiceClients,
} from '../services/upstream';

export type Job = analytics.components['schemas']['JobDto'];
type JobPaths = Pick<AnalyticsPaths, '/jobs' | '/jobs/{id}' | '/jobs/{id}/result'>;

const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
type JobStatus = (typeof JOB_STATUSES)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PER_SERVICE = 25;

const isJobService = (value: unknown): value is JobService =>
  (JOB_SERVICES as readonly unknown[]).includes(value);

/** analytics and sync mount the same controller (libs/jobs): one schema, one client type. */
function jobClient(clients: ServiceClients, service: JobService): Client<JobPaths> {
  return clients[service] as unknown as Client<JobPaths>;
}

/** Jobs of analytics and sync: list, live progress, cancel, download a result. */
@ApiExcludeController()
@Controller('jobs')
export class JobsPagesController {
  constructor(
    private readonly services: ConsoleServices,
    private readonly pages: Pages,
  ) {}

  @Get()
  async list(
    @Query() query: Record<string, unknown>,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const service = queryValue(query.service);
    const status = queryValue(query.status);
    const filter = {
      service: isJobService(service) ? service : undefined,
      status: (JOB_STATUSES as readonly string[]).includes(status ?? '')
        ? (status as JobStatus)
        : undefined,
      type: queryValue(query.type),
    };
    // Each service pages its jobs (newest first) by its own cursor; the console's carries them all.
    const cursorValue = queryValue(query.cursor);
    const cursor = decodeCursor(cursorValue);
    const clients = this.services.as(token);
    const answers = await Promise.all(
      (filter.service ? [filter.service] : [...JOB_SERVICES])
        .filter((svc) => cursor === null || cursor[svc] !== undefined)
        .map(async (svc) => ({
          service: svc,
          answer: await outcome(() =>
            jobClient(clients, svc).GET('/jobs', {
              params: {
                query: {
                  status: filter.status,
                  type: filter.type,
                  limit: PER_SERVICE,
                  cursor: cursor?.[svc],
                },
              },
            }),
          ),
        })),
    );
    const jobs = answers
      .flatMap(({ service: svc, answer }) =>
        answer.ok ? answer.data.jobs.map((job) => ({ ...job, service: svc })) : [],
      )
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
    const notices = answers.flatMap(({ service: svc, answer }) =>
      answer.ok ? [] : [{ service: svc, kind: answer.kind, message: answer.message }],
    );
    const next: CrossCursor = {};
    for (const { service: svc, answer } of answers)
      if (answer.ok && answer.data.next_cursor) next[svc] = answer.data.next_cursor;
    const nextCursor = encodeCursor(next);
    const nextQuery = new URLSearchParams({
      ...(filter.service ? { service: filter.service } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.type ? { type: filter.type } : {}),
      ...(nextCursor ? { cursor: nextCursor } : {}),
    });
    return this.pages.render(reply, 'jobs', 'jobs', {
      filter,
      services: JOB_SERVICES,
      statuses: JOB_STATUSES,
      jobs,
      notices,
      firstPage: !cursorValue,
      nextUrl: nextCursor ? `/jobs?${nextQuery.toString()}` : null,
    });
  }

  /** One job's row, polled by htmx while the job is queued or running. */
  @Get(':service/:id/row')
  async row(
    @Param('service') service: string,
    @Param('id') id: string,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!isJobService(service) || !UUID.test(id)) return reply.status(404).send();
    const job = await outcome(() =>
      jobClient(this.services.as(token), service).GET('/jobs/{id}', {
        params: { path: { id } },
      }),
    );
    return this.renderRow(reply, service, job);
  }

  /** Cancel (the jobs API's DELETE); answers the job's row, now cancelling or cancelled. */
  @Post(':service/:id/cancel')
  async cancel(
    @Param('service') service: string,
    @Param('id') id: string,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!isJobService(service) || !UUID.test(id)) return reply.status(404).send();
    const client = jobClient(this.services.as(token), service);
    const cancelled = await outcome(() =>
      client.DELETE('/jobs/{id}', { params: { path: { id } } }),
    );
    return this.renderRow(reply, service, cancelled as Outcome<Job>);
  }

  /** A job's table row, or a row saying why it cannot be shown (a 403 names what is lacking). */
  private renderRow(reply: FastifyReply, service: JobService, job: Outcome<Job>): FastifyReply {
    if (!job.ok)
      return this.pages.render(reply, 'partials/notice-row', 'jobs', { service, ...job });
    return this.pages.render(reply, 'partials/job-row', 'jobs', { job: { ...job.data, service } });
  }

  /** A succeeded job's result, streamed through with its type and file name. */
  @Get(':service/:id/result')
  async result(
    @Param('service') service: string,
    @Param('id') id: string,
    @OperatorToken() token: string,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    if (!isJobService(service) || !UUID.test(id)) return reply.status(404).send();
    const client = jobClient(this.services.as(token), service);
    let response: Response;
    try {
      ({ response } = await client.GET('/jobs/{id}/result', {
        params: { path: { id } },
        parseAs: 'stream',
      }));
    } catch {
      return this.pages.render(
        reply,
        'message',
        'jobs',
        { title: 'Result unavailable', text: `The ${service} service is not reachable.` },
        502,
      );
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      const text =
        response.status === 403
          ? 'This credential may not read this job.'
          : response.status === 409
            ? 'The job has no result (it has not succeeded).'
            : `The ${service} service answered ${response.status}.`;
      return this.pages.render(
        reply,
        'message',
        'jobs',
        { title: 'No result', text },
        response.status === 403 ? 403 : 404,
      );
    }
    for (const name of ['content-type', 'content-length', 'content-disposition']) {
      const value = response.headers.get(name);
      if (value) void reply.header(name, value);
    }
    return reply.send(Readable.fromWeb(response.body as unknown as WebReadableStream));
  }
}
