import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type K8sObject } from './render';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

function firstContainerEnv(workload: K8sObject): EnvVar[] {
  const spec = workload.spec as { template: { spec: { containers: { env?: EnvVar[] }[] } } };
  return spec.template.spec.containers[0]?.env ?? [];
}

/** The variables a workload takes from Secrets: created outside git, their examples placeholders. */
export function secretVariables(workload: K8sObject): Set<string> {
  return new Set(
    firstContainerEnv(workload)
      .filter((v) => v.valueFrom?.secretKeyRef)
      .map((v) => v.name),
  );
}

/**
 * What the app's production guard (`@shopwire/config`'s `productionProblems` with the app's own
 * `*ProductionRules`) says of `env`, except for variables that come from Secrets: those are set
 * outside git, and their documented examples are placeholders on purpose (the guard refuses them
 * at start, which is the point) — except a variable production forbids outright (plain
 * `API_TOKENS`), which no Secret value makes right. What is left are the values the manifests themselves decide —
 * ConfigMaps, literals, and variables nobody sets (then the schema's development default counts).
 * Runs the compiled code in a child process, like `appConfigProblems`.
 */
export function productionConfigProblems(
  app: string,
  env: Record<string, string>,
  fromSecrets: Set<string>,
): string[] {
  const config = join(REPO_ROOT, 'dist/apps', app, 'src/config.js');
  const guard = join(REPO_ROOT, 'dist/libs/config/src/index.js');
  if (!existsSync(config) || !existsSync(guard))
    return [`dist/ lacks ${app}'s config or libs/config: run node scripts/build.mjs`];
  const script = `
    const mod = require(process.argv[1]);
    const { productionProblems } = require(process.argv[2]);
    const schema = Object.entries(mod).find(([name]) => /ConfigSchema$/.test(name));
    const rules = Object.entries(mod).find(([name]) => /ProductionRules$/.test(name));
    const env = JSON.parse(process.argv[3]);
    process.stdout.write(JSON.stringify(productionProblems(schema[1], env, rules ? rules[1] : {})));
  `;
  const output = execFileSync(
    process.execPath,
    ['-e', script, config, guard, JSON.stringify(env)],
    { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  // A variable that must not be set at all is refused whatever its Secret holds.
  return (JSON.parse(output) as string[]).filter(
    (problem) =>
      !fromSecrets.has(problem.slice(0, problem.indexOf(':'))) ||
      problem.includes('must not be set'),
  );
}
