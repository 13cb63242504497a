import { z } from 'zod';

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

export function loadConfig<T extends z.ZodTypeAny>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data as z.infer<T>;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
  );
}

/**
 * For `main.ts`: load the config or print why not and exit with status 78 (EX_CONFIG), before any
 * connection is attempted.
 */
export function loadConfigOrExit<T extends z.ZodTypeAny>(schema: T, service: string): z.infer<T> {
  try {
    return loadConfig(schema);
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
