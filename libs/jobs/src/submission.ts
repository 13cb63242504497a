import { z } from '@shopwire/config';
import { CallbackDestinationRefused, type CallbackDestinationGuard } from './callback-destination';
import type { JobHandler } from './job';

/** `POST /jobs` body. `callback_url` is accepted as a spelling of `callbackUrl`. */
const submissionBody = z
  .object({
    type: z.string({ required_error: 'type is required' }).min(1).max(100),
    params: z.unknown().optional(),
    callbackUrl: z.string().optional(),
    callback_url: z.string().optional(),
  })
  .strict();

export type Submission =
  | { ok: true; type: string; params: unknown; callbackUrl: string | null }
  | { ok: false; errors: string[] };

/**
 * Validates a submission against the registered job types: an unknown type, params the type's
 * schema rejects, or a callback URL that is not http(s) (or callbacks without a secret) are all
 * refused with every problem named. Pure, so it is unit-tested without a database.
 */
export function validateSubmission(
  body: unknown,
  handlers: ReadonlyMap<string, JobHandler<unknown, unknown>>,
  callbacksEnabled: boolean,
): Submission {
  const parsed = submissionBody.safeParse(body ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
    };
  }
  const { type } = parsed.data;
  const handler = handlers.get(type);
  if (!handler) {
    return {
      ok: false,
      errors: [`type: unknown job type (known: ${[...handlers.keys()].join(', ')})`],
    };
  }
  const errors: string[] = [];
  const params = handler.params.safeParse(parsed.data.params ?? {});
  if (!params.success) {
    for (const issue of params.error.issues) {
      errors.push(`params${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
    }
  }
  const callbackUrl = parsed.data.callbackUrl ?? parsed.data.callback_url ?? null;
  if (callbackUrl !== null) {
    if (!isHttpUrl(callbackUrl)) errors.push('callbackUrl: must be an absolute http(s) URL');
    else if (!callbacksEnabled) {
      errors.push(
        'callbackUrl: callbacks are not configured on this service (JOBS_CALLBACK_SECRET)',
      );
    }
  }
  if (errors.length > 0 || !params.success) return { ok: false, errors };
  return { ok: true, type, params: params.data, callbackUrl };
}

function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

/**
 * The submit-time half of the destination check: the callback URL resolved and judged, null when
 * acceptable (or absent), else the problem phrased for a 400. A lookup that fails is refused too:
 * a receiver is expected to exist when its job is submitted.
 */
export async function checkCallbackDestination(
  guard: CallbackDestinationGuard,
  callbackUrl: string | null,
): Promise<string | null> {
  if (callbackUrl === null) return null;
  try {
    await guard.resolve(callbackUrl);
    return null;
  } catch (error) {
    if (error instanceof CallbackDestinationRefused) return `callbackUrl: ${error.message}`;
    throw error;
  }
}
