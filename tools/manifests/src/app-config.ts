import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { K8sObject } from './render';
import { REPO_ROOT } from './render';

/**
 * The environment a workload's first container would see: its ConfigMaps (envFrom, in order),
 * then `env` — literal values, and Secret references filled from the example placeholders.
 */
export function containerEnvironment(
  workload: K8sObject,
  objects: K8sObject[],
  secretValues: Map<string, Map<string, string>>,
): Record<string, string> {
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((c) => [c.metadata.name, c.data ?? {}]),
  );
  const container = (
    workload.spec as {
      template: {
        spec: {
          containers: {
            envFrom?: { configMapRef?: { name: string } }[];
            env?: {
              name: string;
              value?: string;
              valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
            }[];
          }[];
        };
      };
    }
  ).template.spec.containers[0]!;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? [])
    Object.assign(env, configMaps.get(from.configMapRef?.name ?? '') ?? {});
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    const ref = variable.valueFrom?.secretKeyRef;
    const secret = ref ? secretValues.get(ref.name)?.get(ref.key) : undefined;
    if (secret !== undefined) env[variable.name] = secret;
  }
  return env;
}

/** Where an app keeps its config schema, when not in `src/config.ts`. */
const CONFIG_MODULES: Record<string, string> = { 'shopify-sim': 'src/config/sim-config.schema' };

/**
 * Validates `env` with the app's own config schema (the `*ConfigSchema` export of its compiled
 * config module), exactly as the app does at start, and returns the problems (empty: it would
 * start), plus any setting that ends up on a loopback address (a default meant for a
 * developer's machine, unreachable from a container). Runs in a child process on the build
 * output: the manifests project, being tooling, imports no app, and a change to an app's config
 * must be caught without editing this test.
 */
export function appConfigProblems(app: string, env: Record<string, string>): string[] {
  return appConfigProblemsOf([{ app, env }])[0]!;
}

/**
 * `appConfigProblems` for many apps at once, in one child process: loading an app's compiled
 * config costs a second or more of a loaded machine's CPU, paid once per batch rather than once
 * per workload.
 */
export function appConfigProblemsOf(
  checks: { app: string; env: Record<string, string> }[],
): string[][] {
  const stale: (string[] | null)[] = [];
  const requests: { compiled: string; env: Record<string, string> }[] = [];
  for (const { app, env } of checks) {
    const module = CONFIG_MODULES[app] ?? 'src/config';
    const compiled = join(REPO_ROOT, 'dist/apps', app, `${module}.js`);
    const source = join(REPO_ROOT, 'apps', app, `${module}.ts`);
    // A build in progress (scripts/build.mjs empties dist/ first) is waited out, briefly.
    for (let waited = 0; !existsSync(compiled) && waited < 30_000; waited += 500) pause(500);
    const missing =
      !existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs
        ? [
            `dist/apps/${app}/${module}.js is missing or older than its source: run node scripts/build.mjs`,
          ]
        : null;
    stale.push(missing);
    if (!missing) requests.push({ compiled, env });
  }
  const script = `
    // Defaults written for a developer's machine point at 127.0.0.1; in a container that is
    // the container itself, so a dependency left at such a default is silently unreachable.
    const loopback = /(^|[/@,])(127\\.0\\.0\\.1|localhost)([:/,]|$)/;
    const check = ({ compiled, env }) => {
      const mod = require(compiled);
      const schema = Object.entries(mod).find(([name]) => /ConfigSchema$/.test(name));
      if (!schema) return ['no *ConfigSchema export'];
      const result = schema[1].safeParse(env);
      if (!result.success)
        return result.error.issues.map((i) => (i.path.join('.') || '(env)') + ': ' + i.message);
      const problems = [];
      for (const [key, value] of Object.entries(result.data)) {
        const texts = typeof value === 'string' ? [value] : Array.isArray(value) ? value.map(String) : [];
        if (texts.some((text) => loopback.test(text)))
          problems.push(key + ': resolves to a loopback address (' + texts.join(',') + '); set it');
      }
      return problems;
    };
    let input = '';
    process.stdin.on('data', (chunk) => (input += chunk));
    process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map(check))));
  `;
  const results = requests.length > 0 ? (JSON.parse(runChild(script, requests)) as string[][]) : [];
  let next = 0;
  return stale.map((missing) => missing ?? results[next++]!);
}

/**
 * Runs `script` with `input` as JSON on stdin and returns its stdout. The child sees only PATH:
 * nothing from this machine's environment reaches the apps' schemas.
 */
export function runChild(script: string, input: unknown): string {
  const run = () =>
    execFileSync(process.execPath, ['-e', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      input: JSON.stringify(input),
      maxBuffer: 16 * 1024 * 1024,
      env: { PATH: process.env.PATH ?? '' },
    });
  try {
    return run();
  } catch {
    // A concurrent build may have been rewriting dist/ mid-load; one more try after it.
    pause(5000);
    return run();
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The literal `env` of the provision Job's container (its values copied from shopwire-common). */
export function provisionJobEnv(objects: K8sObject[]): Record<string, string | undefined> {
  const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'shopwire-provision')!;
  const containers = (
    job.spec as {
      template: {
        spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] };
      };
    }
  ).template.spec.containers;
  const env = containers.find((c) => c.name === 'provision')!.env ?? [];
  return Object.fromEntries(env.map((e) => [e.name, e.value]));
}
