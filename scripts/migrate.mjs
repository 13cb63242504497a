// Runs every service's database migrations: each app that owns a schema ships
// `src/database/migrate.js`, which migrates its own schema and exits. Apps are not imported from
// here (apps never import apps); each runs as its own process, exactly as a Kubernetes Job would.
// Needs `npm run build` first. Exits non-zero on the first failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apps = join(root, 'dist/apps');
if (!existsSync(apps)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
for (const app of readdirSync(apps).sort()) {
  const entry = join(apps, app, 'src/database/migrate.js');
  if (!existsSync(entry)) continue;
  // Migrations may run long DDL: no statement timeout unless the operator sets one.
  const env = { DATABASE_STATEMENT_TIMEOUT_MS: '0', ...process.env };
  const result = spawnSync(process.execPath, [entry], { stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`migrations of ${app} failed (exit ${result.status})`);
    process.exit(result.status ?? 1);
  }
}
