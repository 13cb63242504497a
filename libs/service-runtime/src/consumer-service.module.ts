import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { SUBSCRIPTIONS, type ConsumerGroup } from '@shopwire/contracts';
import { DeadLettersModule } from '@shopwire/dead-letters';
import { DeliveriesModule } from '@shopwire/deliveries';
import {
  ApiAccessGuard,
  HealthModule,
  MetricsController,
  type ReadinessCheck,
} from '@shopwire/http';
import { ChunkConsumerTransport } from '@shopwire/kafka';
import type { DataSource } from 'typeorm';
import { consumerReadinessCheck } from './consumer-transport';
import {
  SERVICE_DATA_SOURCE,
  SERVICE_KAFKA,
  SERVICE_NAME,
  SERVICE_PRODUCER,
} from './service-core.module';
import { ServiceOutboxRelay } from './service-outbox-relay';

type Imports = NonNullable<ModuleMetadata['imports']>;
/** What `HealthModule.forChecks` can inject: a provider's class, string or symbol token. */
type Token = NonNullable<Parameters<typeof HealthModule.forChecks>[0]['inject']>[number];

/** What a consumer service's app module is made of; everything else is the same in every one. */
export interface ConsumerServiceOptions {
  /** The service's `CoreModule.forRoot(config, logger)` (ServiceCoreModule underneath). */
  core: DynamicModule | DynamicModule[];
  /** The service's own modules: its `@ConsumeChunks` controllers, APIs and providers. */
  imports: Imports;
  /** The group whose dead letters the service lists and replays (`/dead-letters`); none when absent. */
  deadLetters?: ConsumerGroup;
  /** The module that provides and exports the service's `ServiceOutboxRelay`, when it has one. */
  outbox?: Imports[number];
  /**
   * Readiness checks of the service's own, reported between the consumers' and the outbox
   * relay's (e.g. a breaker that is reported but keeps the service ready).
   */
  checks?: {
    imports?: Imports;
    inject: Token[];
    useFactory: (...dependencies: never[]) => ReadinessCheck[];
  };
}

/**
 * The app module of a consumer service: its core resources, its own modules, the dead-letter API
 * of its group, the delivery journal's API (`GET /deliveries`), `/health` (Postgres, every consumer group in the broker's view, the service's own
 * checks, the outbox relay), `/metrics` and the API access guard on every route. A service's
 * AppModule is this with its parts named, so a lifecycle or readiness change is made here once.
 */
@Module({})
export class ConsumerServiceModule {
  static register(options: ConsumerServiceOptions): DynamicModule {
    const extra = options.checks;
    const outbox = options.outbox !== undefined;
    return {
      module: ConsumerServiceModule,
      imports: [
        ...(Array.isArray(options.core) ? options.core : [options.core]),
        ...options.imports,
        ...(options.deadLetters
          ? [
              DeadLettersModule.forService({
                group: options.deadLetters,
                topics: SUBSCRIPTIONS[options.deadLetters],
                kafka: SERVICE_KAFKA,
                producer: SERVICE_PRODUCER,
              }),
            ]
          : []),
        // What each consumer did with each message (docs/adr/0011), from the service's schema.
        DeliveriesModule.forService({ service: SERVICE_NAME, dataSource: SERVICE_DATA_SOURCE }),
        HealthModule.forChecks({
          imports: [...(outbox ? [options.outbox!] : []), ...(extra?.imports ?? [])],
          inject: [
            SERVICE_DATA_SOURCE,
            ChunkConsumerTransport,
            ...(outbox ? [ServiceOutboxRelay] : []),
            ...(extra?.inject ?? []),
          ],
          useFactory: (
            dataSource: DataSource,
            consumers: ChunkConsumerTransport,
            ...rest: unknown[]
          ): ReadinessCheck[] => {
            const relay = outbox ? (rest.shift() as ServiceOutboxRelay) : null;
            return [
              { name: 'postgres', check: () => dataSource.query('SELECT 1').then(() => undefined) },
              consumerReadinessCheck(consumers),
              ...(extra
                ? (extra.useFactory as (...args: unknown[]) => ReadinessCheck[])(...rest)
                : []),
              ...(relay ? [relay.readinessCheck()] : []),
            ];
          },
        }),
      ],
      controllers: [MetricsController],
      providers: [{ provide: APP_GUARD, useClass: ApiAccessGuard }],
    };
  }
}
