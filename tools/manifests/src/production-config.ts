import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from './app-config';
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
  return productionConfigProblemsOf([{ app, env, fromSecrets }])[0]!;
}

/** `productionConfigProblems` for many apps at once, in one child process (see appConfigProblemsOf). */
export function productionConfigProblemsOf(
  checks: { app: string; env: Record<string, string>; fromSecrets: Set<string> }[],
): string[][] {
  const guard = join(REPO_ROOT, 'dist/libs/config/src/index.js');
  const requests = checks.map(({ app, env }) => ({
    app,
    config: join(REPO_ROOT, 'dist/apps', app, 'src/config.js'),
    env,
  }));
  const missing = requests.filter((r) => !existsSync(r.config) || !existsSync(guard));
  if (missing.length > 0)
    return checks.map(({ app }) => [
      `dist/ lacks ${app}'s config or libs/config: run node scripts/build.mjs`,
    ]);
  const script = `
    const { productionProblems } = require(${JSON.stringify(guard)});
    const check = ({ config, env }) => {
      const mod = require(config);
      const schema = Object.entries(mod).find(([name]) => /ConfigSchema$/.test(name));
      const rules = Object.entries(mod).find(([name]) => /ProductionRules$/.test(name));
      return productionProblems(schema[1], env, rules ? rules[1] : {});
    };
    let input = '';
    process.stdin.on('data', (chunk) => (input += chunk));
    process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map(check))));
  `;
  const results = JSON.parse(runChild(script, requests)) as string[][];
  // A variable that must not be set at all is refused whatever its Secret holds.
  return results.map((problems, index) =>
    problems.filter(
      (problem) =>
        !checks[index]!.fromSecrets.has(problem.slice(0, problem.indexOf(':'))) ||
        problem.includes('must not be set'),
    ),
  );
}
