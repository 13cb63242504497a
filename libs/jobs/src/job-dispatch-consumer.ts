import { Controller, Inject, type OnModuleInit } from '@nestjs/common';
import { decodeDispatch } from '@shopwire/contracts';
import {
  ChunkConsumerTransport,
  ConsumeChunks,
  type ChunkConsumerTuning,
  type ConsumerChunk,
} from '@shopwire/kafka';
import type { KafkaMessage } from 'kafkajs';
import type { JobsRuntime } from './jobs-runtime';
import { JOBS_RUNTIME } from './jobs.tokens';

/** The dispatch consumer's logical group (its metrics label); the group id is `<service>-jobs`. */
export const JOB_DISPATCH_GROUP = 'jobs';

/** The dispatch consumer's settings on the transport, from the runtime's topic and group id. */
export function jobDispatchTuning(runtime: JobsRuntime): ChunkConsumerTuning {
  return {
    groupId: runtime.groupId,
    topics: [runtime.topic],
    // One dispatch at a time per partition: a busy worker holds its partition, not a chunk.
    maxChunk: 1,
    partitionsConcurrently: 1,
    // Dispatches are few and taken one at a time: a fetch returns on the first byte (no 64 KiB
    // to wait for, so no 200 ms added to a dispatch), and an idle one asks once a second.
    fetchMinBytes: 1,
    fetchMaxWaitMs: 1000,
    retryBaseMs: 250,
    retryCapMs: 2000,
    sessionTimeoutMs: runtime.options.settings.sessionTimeoutMs,
    // A dispatch is a hand-off: what fails (all slots busy, Postgres down) is retried in place,
    // and a lost dispatch is re-sent by the reaper — nothing a retry topic or a DLQ would add.
    deadLetters: false,
  };
}

/**
 * Reads `shopwire.jobs.<service>.v1` on the service's consumer transport, one message at a time
 * per partition, and hands each to the worker. The worker returns once the job has started (the
 * job then runs outside the consumer, so kafkajs keeps heartbeating), and the offset is committed.
 * When every slot is busy — or the worker is stopping — it throws `WorkerBusyError` and the
 * message is retried in place with backoff, heartbeating meanwhile: the partition waits, nothing
 * is lost (at shutdown the transport abandons it uncommitted for the partition's next owner).
 */
@Controller()
export class JobDispatchConsumer implements OnModuleInit {
  constructor(
    @Inject(JOBS_RUNTIME) private readonly runtime: JobsRuntime,
    private readonly transport: ChunkConsumerTransport,
  ) {}

  /** Before `startConsumers`: the group's id and topic depend on the service. */
  onModuleInit(): void {
    this.transport.configureGroup(JOB_DISPATCH_GROUP, jobDispatchTuning(this.runtime));
  }

  @ConsumeChunks({ group: JOB_DISPATCH_GROUP, topics: [] })
  async handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    for (const message of messages) {
      const dispatch = decodeDispatch(message.value);
      if (!dispatch.ok) {
        chunk.rejected(message, dispatch.reason, dispatch.detail);
        this.runtime.metrics.dispatchSkipped.inc({ reason: 'malformed' });
        this.runtime.logger.warn(
          { offset: message.offset, detail: dispatch.detail },
          'not a job dispatch message; skipped',
        );
        continue;
      }
      await this.runtime.worker.handleDispatch(dispatch.value);
    }
  }
}
