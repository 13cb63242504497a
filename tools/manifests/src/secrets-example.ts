import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './render';

const EXAMPLES = join(REPO_ROOT, 'k8s/secrets.example');

/**
 * The Secrets the manifests may reference, with their placeholder values, as documented by the
 * files in k8s/secrets.example (`<secret name>.env`, one KEY=placeholder a line). The
 * placeholders are realistic enough to pass the apps' own config validation.
 */
export function exampleSecretValues(dir = EXAMPLES): Map<string, Map<string, string>> {
  const secrets = new Map<string, Map<string, string>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.env'))) {
    const values = new Map<string, string>();
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#') || !trimmed.includes('=')) continue;
      const at = trimmed.indexOf('=');
      values.set(trimmed.slice(0, at), trimmed.slice(at + 1));
    }
    secrets.set(file.replace(/\.env$/, ''), values);
  }
  return secrets;
}

/** Secret name → the keys it documents. */
export function documentedSecrets(dir = EXAMPLES): Map<string, Set<string>> {
  return new Map(
    [...exampleSecretValues(dir)].map(([name, values]) => [name, new Set(values.keys())]),
  );
}
