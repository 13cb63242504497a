// Schema check of rendered Kubernetes manifests, offline: renders each kustomize directory given
// (`kubectl kustomize`) and validates every object against the Kubernetes OpenAPI schema shipped
// in the `kubernetes-models` package. ESM because kubernetes-models is ESM-only (Jest cannot load
// it, so the Jest suite runs this file as a child process; scripts/validate-k8s.sh runs it in CI).
//
//   node tools/manifests/src/schema-check.mjs k8s/overlays/dev k8s/overlays/prod …
//
// Kinds outside core Kubernetes (KEDA's ScaledObject and TriggerAuthentication) get a structural check of the fields
// Shopwire relies on. Exits 1 listing every invalid object; any unknown kind is an error too.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** Custom resources: the fields KEDA needs, checked by hand (no schema package for them). */
const CUSTOM_CHECKS = {
  'keda.sh/v1alpha1/ScaledObject': (object) => {
    const problems = [];
    const spec = object.spec ?? {};
    if (!spec.scaleTargetRef?.name) problems.push('spec.scaleTargetRef.name is required');
    if (!Number.isInteger(spec.minReplicaCount) || !Number.isInteger(spec.maxReplicaCount))
      problems.push('spec.minReplicaCount and spec.maxReplicaCount must be integers');
    else if (spec.minReplicaCount > spec.maxReplicaCount)
      problems.push('spec.minReplicaCount exceeds spec.maxReplicaCount');
    if (!Array.isArray(spec.triggers) || spec.triggers.length === 0)
      problems.push('spec.triggers must list at least one trigger');
    for (const [i, trigger] of (spec.triggers ?? []).entries()) {
      if (typeof trigger.type !== 'string') problems.push(`spec.triggers[${i}].type is required`);
      for (const [key, value] of Object.entries(trigger.metadata ?? {}))
        if (typeof value !== 'string')
          problems.push(
            `spec.triggers[${i}].metadata.${key} must be a string (KEDA reads strings)`,
          );
      if (trigger.type === 'kafka')
        for (const key of ['bootstrapServers', 'consumerGroup', 'lagThreshold'])
          if (!trigger.metadata?.[key]) problems.push(`kafka trigger needs metadata.${key}`);
    }
    return problems;
  },
  'keda.sh/v1alpha1/TriggerAuthentication': (object) => {
    const problems = [];
    const refs = object.spec?.secretTargetRef;
    if (!Array.isArray(refs) || refs.length === 0)
      problems.push('spec.secretTargetRef must list at least one reference');
    for (const [i, ref] of (refs ?? []).entries())
      for (const key of ['parameter', 'name', 'key'])
        if (typeof ref?.[key] !== 'string' || ref[key] === '')
          problems.push(`spec.secretTargetRef[${i}].${key} is required`);
    return problems;
  },
};

async function modelFor(apiVersion, kind) {
  try {
    const module = await import(`kubernetes-models/${apiVersion}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

export async function checkObjects(objects) {
  const problems = [];
  for (const object of objects) {
    const where = `${object?.kind ?? '?'}/${object?.metadata?.name ?? '?'}`;
    if (!object?.apiVersion || !object?.kind) {
      problems.push(`${where}: apiVersion and kind are required`);
      continue;
    }
    const custom = CUSTOM_CHECKS[`${object.apiVersion}/${object.kind}`];
    if (custom) {
      for (const problem of custom(object)) problems.push(`${where}: ${problem}`);
      continue;
    }
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) {
      problems.push(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${where}: ${error.message}`);
    }
  }
  return problems;
}

export function render(dir) {
  const text = execFileSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${dir}: ${doc.errors[0].message}`);
      return doc.toJS();
    })
    .filter((object) => object !== null);
}

const dirs = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}`) {
  if (dirs.length === 0) {
    console.error('usage: schema-check.mjs <kustomize dir>…');
    process.exit(2);
  }
  let failed = false;
  for (const dir of dirs) {
    const objects = render(dir);
    const problems = await checkObjects(objects);
    if (problems.length) {
      failed = true;
      for (const problem of problems) console.error(`schema-check: ${dir}: ${problem}`);
    } else {
      console.log(`schema-check: ${dir}: ${objects.length} objects valid`);
    }
  }
  process.exit(failed ? 1 : 0);
}
