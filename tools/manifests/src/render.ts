import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(__dirname, '../../..');

/** The overlays CI renders and checks; each must pass every invariant. */
export const OVERLAYS = [
  'k8s/overlays/dev',
  'k8s/overlays/prod',
  'k8s/overlays/prod-keda',
  'k8s/overlays/prod-kafka-sasl',
];

/** The parts of a Kubernetes object these checks read. Everything else stays `unknown`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}

/** `kubectl kustomize <dir>` (kubectl's built-in kustomize), parsed into objects. */
export function renderKustomization(dir: string): K8sObject[] {
  const text = execFileSync('kubectl', ['kustomize', resolve(REPO_ROOT, dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseYamlDocuments(text, dir) as K8sObject[];
}

export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}

/** Runs the ESM schema check (kubernetes-models) in a child process. */
export function runSchemaCheck(dirs: string[]): { status: number; output: string } {
  try {
    const output = execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'tools/manifests/src/schema-check.mjs'), ...dirs],
      { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { status: 0, output };
  } catch (error) {
    const failure = error as { status?: number; stdout?: string; stderr?: string };
    return {
      status: failure.status ?? 1,
      output: `${failure.stdout ?? ''}${failure.stderr ?? ''}`,
    };
  }
}
