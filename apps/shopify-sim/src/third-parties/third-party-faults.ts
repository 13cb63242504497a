import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** Faults of the stand-in SMTP relay: each message draws once; `down` refuses connections. */
export const smtpFaultsSchema = z
  .object({
    /** Share of messages refused permanently (550). */
    rejectRate: rate.default(0),
    /** Share of messages refused temporarily (451: try again later). */
    tempFailRate: rate.default(0),
    /** Wait before answering the message's DATA. */
    delayMs: z.number().int().min(0).max(60_000).default(0),
    /** Stop accepting TCP connections (the relay is unreachable). */
    down: z.boolean().default(false),
  })
  .strict();
export type SmtpFaults = z.infer<typeof smtpFaultsSchema>;

/** Faults of the stand-in ERP. */
export const erpFaultsSchema = z
  .object({
    /** Share of calls answered 503. */
    errorRate: rate.default(0),
    /** Share of calls answered 429 with `Retry-After: <retryAfter>`. */
    status429Rate: rate.default(0),
    /** The Retry-After value sent with 429 (seconds, fractional allowed, or an HTTP-date). */
    retryAfter: z.string().min(1).max(64).default('1'),
    delayMs: z.number().int().min(0).max(60_000).default(0),
    /** Drop every connection without an answer (the ERP is unreachable). */
    down: z.boolean().default(false),
  })
  .strict();
export type ErpFaults = z.infer<typeof erpFaultsSchema>;

/** Parses a faults body or throws a readable list of problems. */
export function parseFaults<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new FaultsError(
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
  );
}

export class FaultsError extends Error {
  override readonly name = 'FaultsError';
  constructor(readonly problems: string[]) {
    super('invalid faults');
  }
}

/** The stand-ins' own settings, read with the simulator's config. */
export const thirdPartiesConfigSchema = z.object({
  /** The SMTP sink's port (0: any free port). */
  SIM_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  /** Where it listens: loopback by default; `0.0.0.0` in a container, for the other containers. */
  SIM_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
});
