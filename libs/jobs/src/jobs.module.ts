import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Registry } from 'prom-client';
import { JobDispatchConsumer } from './job-dispatch-consumer';
import { JobsController } from './jobs.controller';
import { JobsRuntime, type JobsRuntimeOptions } from './jobs-runtime';
import { JOBS_RUNTIME } from './jobs.tokens';

export interface JobsModuleOptions {
  /** Modules whose providers the factory injects (e.g. the one holding a handler's repository). */
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  /**
   * The runtime's options from the service's resources; metrics go to METRICS_REGISTRY. Jobs
   * always run (no `runJobs`): the dispatch consumer hands every dispatch to the worker.
   */
  useFactory: (...deps: never[]) => Omit<JobsRuntimeOptions, 'registry' | 'runJobs'>;
}

/**
 * Starts the runtime once the app is up and stops it in `onModuleDestroy` — before the service's
 * outbox relay stops (`beforeApplicationShutdown`) and its pool closes, so jobs handed back at
 * shutdown are re-dispatched before the process exits. The dispatch consumer stops after that,
 * with the service's consumer transport; a dispatch it reads meanwhile waits uncommitted.
 */
@Injectable()
class JobsLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(JOBS_RUNTIME) private readonly runtime: JobsRuntime) {}

  onApplicationBootstrap(): void {
    this.runtime.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.runtime.stop();
  }
}

/**
 * `POST/GET/DELETE /jobs…`, the job runtime for one service and its dispatch consumer, a
 * `@ConsumeChunks` handler (group `jobs`, id `<service>-jobs`) on the service's consumer transport
 * (`ChunkConsumerTransport`, which ServiceCoreModule provides and `startConsumers` starts).
 */
@Module({})
export class JobsModule {
  static forService(options: JobsModuleOptions): DynamicModule {
    return {
      module: JobsModule,
      imports: options.imports ?? [],
      controllers: [JobsController, JobDispatchConsumer],
      providers: [
        {
          provide: JOBS_RUNTIME,
          inject: [...(options.inject ?? []), { token: METRICS_REGISTRY, optional: true }],
          useFactory: (...deps: unknown[]) => {
            const registry = deps.pop() as Registry | undefined;
            return new JobsRuntime({ ...options.useFactory(...(deps as never[])), registry });
          },
        },
        JobsLifecycle,
      ],
      exports: [JOBS_RUNTIME],
    };
  }
}
