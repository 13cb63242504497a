import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Restarts the machine's Postgres cluster that serves DATABASE_URL (by its port; 5432 unless set),
 * as a fault test's database outage — so a run on its own cluster never restarts the shared one.
 * Needs the Debian cluster tools and root, as on the CI machine.
 */
export async function restartPostgres(): Promise<void> {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  const port = url.port || '5432';
  // pg_lsclusters --no-header: "<version> <cluster> <port> <status> ...", one line per cluster.
  const { stdout } = await run('pg_lsclusters', ['--no-header']);
  const cluster = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[2] === port);
  if (!cluster) throw new Error(`no local Postgres cluster listens on port ${port}`);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster[0], cluster[1], 'restart'], {
    timeout: 120_000,
  });
}
