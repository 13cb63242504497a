import { Inject, type DynamicModule } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';

/**
 * A service's configuration inside Nest: `@nestjs/config`'s `ConfigModule`, holding the object the
 * service's zod schema produced (`loadConfigOrExit` in `main.ts`, `loadConfig` in a test).
 *
 * Validation happens before Nest starts, not in `ConfigModule.forRoot({ validate })`:
 * - a refusal must exit 78 naming the variable before any connection; an error thrown while Nest
 *   initialises is logged by Nest's ExceptionHandler and the process exits 1 (`NestFactory`);
 * - `main.ts` needs LOG_LEVEL and PORT before the Nest application exists;
 * - `forRoot` writes a `validate` result back into `process.env` (every default and test value
 *   of a key not yet set), which would leak into the next app a test builds in the same process
 *   and into every service process it spawns.
 * docs/adr/0009-configuration-through-nestjs-config.md.
 */

/** `ConfigModule` namespace of the service's configuration: `ConfigService.get('service.PORT')`. */
export const SERVICE_CONFIG_NAMESPACE = 'service';

/**
 * Injection token of the whole validated configuration, typed by its schema:
 * `@Inject(SERVICE_CONFIG) config: OrderConfig` (or `@InjectServiceConfig()`).
 */
export const SERVICE_CONFIG = registerAs(SERVICE_CONFIG_NAMESPACE, () => ({})).KEY;

/** `@Inject(SERVICE_CONFIG)`. */
export const InjectServiceConfig = (): PropertyDecorator & ParameterDecorator =>
  Inject(SERVICE_CONFIG);

/**
 * Nest's `ConfigModule` for every module of the application (global) with `config` under
 * `SERVICE_CONFIG`. No `.env` file is read and `ConfigService` never falls back to `process.env`:
 * a variable the schema did not validate is not configuration.
 */
export function serviceConfigModule<TConfig extends object>(
  config: TConfig,
): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    skipProcessEnv: true,
    load: [registerAs(SERVICE_CONFIG_NAMESPACE, () => config as Record<string, unknown>)],
  });
}
