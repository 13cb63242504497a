import { z } from 'zod';
import { productionProblems, shopwireEnvironment, type ProductionRules } from './production-guard';

/**
 * Validated configuration from the environment. Every app declares a zod schema of the variables
 * it reads and refuses to start when one is missing or malformed, naming each offending variable
 * (never its value: some of them are secrets).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface LoadConfigOptions {
  /**
   * What this service's own variables must be under `SHOPWIRE_ENV=production`, beside the shared
   * rules (production-guard.ts). Checked only in production, after the schema.
   */
  production?: ProductionRules;
}

export function loadConfig<T extends z.ZodTypeAny>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): z.infer<T> {
  const environment = shopwireEnvironment(env);
  const result = schema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
  if (typeof environment === 'object') problems.push(environment.problem);
  else if (environment === 'production')
    problems.push(...productionProblems(schema, env, options.production));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data as z.infer<T>;
}

/**
 * For `main.ts`: load the config or print why not and exit with status 78 (EX_CONFIG), before any
 * connection is attempted.
 */
export function loadConfigOrExit<T extends z.ZodTypeAny>(
  schema: T,
  service: string,
  options: LoadConfigOptions = {},
): z.infer<T> {
  try {
    return loadConfig(schema, process.env, options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', service, msg: error.message, problems: error.problems })}\n`,
      );
      process.exit(78);
    }
    throw error;
  }
}
