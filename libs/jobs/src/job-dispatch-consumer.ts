import {
  backoffDelay,
  briefError,
  ConsumerRunner,
  type ConsumerRunnerStatus,
} from '@shopwire/kafka';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeDispatch } from '@shopwire/contracts';
import type { JobMetrics } from './job.metrics';
import type { JobWorker } from './job-worker';

export interface JobDispatchConsumerOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  worker: JobWorker;
  logger: Logger;
  metrics: JobMetrics;
  sessionTimeoutMs?: number;
}

/**
 * Reads `shopwire.jobs.<service>.v1` with the shared `ConsumerRunner`, one message at a time per
 * partition, and hands each to the worker. The worker returns once the job has started (the
 * job then runs outside the consumer, so kafkajs keeps heartbeating), and the offset is committed.
 * When every slot is busy the worker throws `WorkerBusyError` and the runner retries the message
 * in place with backoff, heartbeating meanwhile: the partition waits, nothing is lost.
 */
export class JobDispatchConsumer {
  private readonly runner: ConsumerRunner;
  private starting: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: JobDispatchConsumerOptions) {
    this.runner = new ConsumerRunner({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topic],
      logger: options.logger.child({ component: 'job-dispatch-consumer' }),
      maxChunk: 1,
      retryBaseMs: 250,
      retryCapMs: 2000,
      sessionTimeoutMs: options.sessionTimeoutMs,
      partitionsConcurrently: 1,
      handleBatch: async (messages) => {
        for (const message of messages) {
          const dispatch = decodeDispatch(message.value);
          if (!dispatch.ok) {
            options.metrics.dispatchSkipped.inc({ reason: 'malformed' });
            options.logger.warn(
              { offset: message.offset, detail: dispatch.detail },
              'not a job dispatch message; skipped',
            );
            continue;
          }
          await options.worker.handleDispatch(dispatch.value);
        }
      },
    });
  }

  get status(): ConsumerRunnerStatus {
    return this.runner.status;
  }

  /** Starts in the background, retrying while Kafka is unavailable. */
  start(): void {
    this.stopped = false;
    this.starting ??= this.startUntilRunning();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    this.starting = null;
    await this.runner.stop();
  }

  private async startUntilRunning(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.runner.start();
        return;
      } catch (error) {
        const delayMs = backoffDelay(attempt, 500, 10_000);
        this.options.logger.warn(
          { err: briefError(error), attempt, delayMs },
          'job dispatch consumer could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}
