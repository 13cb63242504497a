import { Controller, Get, Inject, Module, type DynamicModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckError,
  HealthCheckService,
  TerminusModule,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { PublicRoute } from './api-token.guard';

/**
 * A dependency readiness depends on (Kafka, Postgres, a circuit breaker…). `check` resolves with
 * details when healthy and throws when not; it must answer quickly (probes time out).
 */
export interface ReadinessCheck {
  name: string;
  check(): Promise<Record<string, unknown> | void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const CHECK_TIMEOUT_MS = 1500;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/health/live`: the process answers (restart it if not). `/health/ready`: every dependency
 * answers (take it out of load balancing if not). Kept apart so a Kafka outage does not get
 * every pod restarted.
 */
@ApiExcludeController()
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.checks.map((dependency) => async (): Promise<HealthIndicatorResult> => {
        try {
          const details = (await withTimeout(dependency.check(), CHECK_TIMEOUT_MS)) ?? {};
          return { [dependency.name]: { status: 'up', ...details } };
        } catch (error) {
          throw new HealthCheckError(`${dependency.name} is not ready`, {
            [dependency.name]: { status: 'down', message: (error as Error).message },
          });
        }
      }),
    );
  }
}

@Module({})
export class HealthModule {
  /** `checksToken` names a provider (in the importing app) that yields the `ReadinessCheck[]`. */
  static forChecks(checksProvider: {
    useFactory: (...args: never[]) => ReadinessCheck[];
    inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
    imports?: DynamicModule['imports'];
  }): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(checksProvider.imports ?? [])],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          useFactory: checksProvider.useFactory as (...args: unknown[]) => ReadinessCheck[],
          inject: checksProvider.inject ?? [],
        },
      ],
    };
  }
}
