export interface WaitOptions {
  /** Generous by default: the broker, database and 2 cores are shared with other suites. */
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the timeout's message (a function is read only on timeout). */
  what?: string | (() => string);
}

/**
 * The one poll of every suite: calls `check` until it returns a truthy value (which it answers)
 * or the timeout passes; a throw counts as "not yet", and the last one is in the timeout's
 * message. `waitFor(check, 'what', 30_000)` and `waitFor(check, { what, timeoutMs })` are the
 * same.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions | string = {},
  timeoutMs?: number,
): Promise<T> {
  const {
    timeoutMs: limit = timeoutMs ?? 60_000,
    intervalMs = 100,
    what = 'condition',
  } = typeof options === 'string' ? { what: options } : options;
  const deadline = Date.now() + limit;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const described = typeof what === 'function' ? what() : what;
  throw new Error(
    `timed out after ${limit} ms waiting for ${described}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}
