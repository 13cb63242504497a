import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INFRA = join(__dirname, '../../../scripts/infra.sh');

/** Stops the local broker (keeping its data), as a fault test's outage. */
export async function stopKafka(): Promise<void> {
  await run('bash', [INFRA, 'kafka-stop'], { timeout: 60_000 });
}

/** Starts the local broker again and waits until it answers. */
export async function startKafka(): Promise<void> {
  await run('bash', [INFRA, 'kafka-start'], { timeout: 120_000 });
}

/** Polls `check` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  {
    timeoutMs = 20_000,
    intervalMs = 100,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
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
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

/**
 * Restarts the machine's Postgres cluster (the one `scripts/infra.sh` checks), as a fault test's
 * database outage. Needs the Debian cluster tools and root, as on the CI machine.
 */
export async function restartPostgres(): Promise<void> {
  const { stdout } = await run('bash', ['-c', 'ls /etc/postgresql | sort -V | tail -1']);
  const version = stdout.trim();
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], {
    timeout: 120_000,
  });
}
