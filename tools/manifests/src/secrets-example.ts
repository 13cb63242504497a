import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './render';

/**
 * The Secrets the manifests may reference, and their keys, as documented by the placeholder
 * files in k8s/secrets.example (`<secret name>.env`, one KEY=placeholder a line).
 */
export function documentedSecrets(
  dir = join(REPO_ROOT, 'k8s/secrets.example'),
): Map<string, Set<string>> {
  const secrets = new Map<string, Set<string>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.env'))) {
    const keys = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => line.slice(0, line.indexOf('=')));
    secrets.set(file.replace(/\.env$/, ''), new Set(keys));
  }
  return secrets;
}
