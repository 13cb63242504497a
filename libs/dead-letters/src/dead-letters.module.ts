import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { deadLetterTopicOf } from '@shopwire/contracts';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { FailurePublisher } from '@shopwire/kafka';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { DeadLetterStore } from './dead-letter-store';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersService, type ResolvedDeadLettersOptions } from './dead-letters.service';
import { DEAD_LETTER_STORE, DEAD_LETTERS_OPTIONS } from './dead-letters.tokens';

export interface DeadLettersModuleOptions {
  /** The service's logical consumer group (e.g. `order`), as given to the runner's deadLetters. */
  group: string;
  /** The source topics the service consumes; their `<topic>.dlq` topics are read. */
  topics: readonly string[];
  /** The Kafka client, or the token it is provided under (e.g. ORDER_KAFKA). */
  kafka: Kafka | InjectionToken;
  /** Acked sender for replays, or its token; default a producer of the module's own. */
  producer?: FailurePublisher | InjectionToken;
  /** Background refresh of the DLQ depth gauge. Default 5 minutes; 0 turns it off. */
  depthRefreshMs?: number;
}

const isToken = (value: unknown): value is InjectionToken =>
  typeof value === 'symbol' || typeof value === 'string' || typeof value === 'function';

/**
 * `GET /dead-letters`, `GET /dead-letters/:id`, `POST /dead-letters/replay` for one service.
 * Metrics go to the app's METRICS_REGISTRY when there is one.
 */
@Module({})
export class DeadLettersModule {
  static forService(options: DeadLettersModuleOptions): DynamicModule {
    const kafkaToken: InjectionToken = isToken(options.kafka) ? options.kafka : Symbol('kafka');
    const producerToken: InjectionToken | null = options.producer
      ? isToken(options.producer)
        ? options.producer
        : Symbol('producer')
      : null;
    const resolved: ResolvedDeadLettersOptions = {
      group: options.group,
      depthRefreshMs: options.depthRefreshMs ?? 300_000,
    };
    return {
      module: DeadLettersModule,
      controllers: [DeadLettersController],
      providers: [
        ...(isToken(options.kafka) ? [] : [{ provide: kafkaToken, useValue: options.kafka }]),
        ...(producerToken && !isToken(options.producer)
          ? [{ provide: producerToken, useValue: options.producer }]
          : []),
        { provide: DEAD_LETTERS_OPTIONS, useValue: resolved },
        {
          provide: DEAD_LETTER_STORE,
          inject: [
            kafkaToken,
            { token: METRICS_REGISTRY, optional: true },
            ...(producerToken ? [producerToken] : []),
          ],
          useFactory: (kafka: Kafka, registry?: Registry, producer?: FailurePublisher) =>
            new DeadLetterStore({
              kafka,
              producer,
              registry,
              deadLetterTopics: [...new Set(options.topics.map(deadLetterTopicOf))],
            }),
        },
        DeadLettersService,
      ],
      exports: [DeadLettersService],
    };
  }
}
