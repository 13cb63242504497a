// Schema check of rendered Kubernetes manifests, offline: renders each kustomize directory given
// (`kubectl kustomize`) and validates every object against the Kubernetes OpenAPI schema shipped
// in the `kubernetes-models` package. ESM because kubernetes-models is ESM-only (Jest cannot load
// it, so the Jest suite runs this file as a child process; scripts/validate-k8s.sh runs it in CI).
//
//   node tools/manifests/src/schema-check.mjs k8s/overlays/dev k8s/overlays/prod …
//
// Gateway API kinds (Gateway, HTTPRoute) are validated against the schemas of the
// `@kubernetes-models/gateway-api` package, generated from the upstream Gateway API CRDs' OpenAPI
// schemas. Kinds without a schema package (KEDA's ScaledObject and TriggerAuthentication, Envoy
// Gateway's BackendTrafficPolicy) get a structural check of the fields Shopwire relies on.
// Exits 1 listing every invalid object; any unknown kind is an error too.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** Custom resources: the fields KEDA needs, checked by hand (no schema package for them). */
const RATE_LIMIT_UNITS = ['Second', 'Minute', 'Hour', 'Day', 'Month', 'Year'];
const LOAD_BALANCERS = ['RoundRobin', 'LeastRequest', 'Random', 'ConsistentHash'];

const CUSTOM_CHECKS = {
  // Envoy Gateway's policy attachment for what HTTPRoute cannot say (rate limits, balancing).
  'gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy': (object) => {
    const problems = [];
    const spec = object.spec ?? {};
    const refs = spec.targetRefs;
    if (!Array.isArray(refs) || refs.length === 0)
      problems.push('spec.targetRefs must name at least one route or Gateway');
    for (const [i, ref] of (refs ?? []).entries()) {
      if (ref?.group !== 'gateway.networking.k8s.io')
        problems.push(`spec.targetRefs[${i}].group must be gateway.networking.k8s.io`);
      if (!['Gateway', 'HTTPRoute', 'GRPCRoute'].includes(ref?.kind))
        problems.push(`spec.targetRefs[${i}].kind must be Gateway, HTTPRoute or GRPCRoute`);
      if (typeof ref?.name !== 'string' || ref.name === '')
        problems.push(`spec.targetRefs[${i}].name is required`);
    }
    if (spec.rateLimit) {
      const type = spec.rateLimit.type;
      if (!['Local', 'Global'].includes(type))
        problems.push('spec.rateLimit.type must be Local or Global');
      const rules = spec.rateLimit[type === 'Global' ? 'global' : 'local']?.rules;
      if (!Array.isArray(rules) || rules.length === 0)
        problems.push(`spec.rateLimit.${String(type).toLowerCase()}.rules must list a rule`);
      for (const [i, rule] of (rules ?? []).entries()) {
        const where = `spec.rateLimit rules[${i}]`;
        if (!Number.isInteger(rule?.limit?.requests) || rule.limit.requests < 1)
          problems.push(`${where}.limit.requests must be a positive integer`);
        if (!RATE_LIMIT_UNITS.includes(rule?.limit?.unit))
          problems.push(`${where}.limit.unit must be one of ${RATE_LIMIT_UNITS.join(', ')}`);
        for (const [j, selector] of (rule?.clientSelectors ?? []).entries()) {
          const cidr = selector?.sourceCIDR;
          if (!cidr) continue;
          if (!['Exact', 'Distinct'].includes(cidr.type))
            problems.push(
              `${where}.clientSelectors[${j}].sourceCIDR.type must be Exact or Distinct`,
            );
          if (!/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(String(cidr.value)))
            problems.push(`${where}.clientSelectors[${j}].sourceCIDR.value must be a CIDR`);
        }
      }
    }
    if (spec.loadBalancer && !LOAD_BALANCERS.includes(spec.loadBalancer.type))
      problems.push(`spec.loadBalancer.type must be one of ${LOAD_BALANCERS.join(', ')}`);
    if (!spec.rateLimit && !spec.loadBalancer)
      problems.push('sets neither rateLimit nor loadBalancer (the only fields Shopwire uses)');
    return problems;
  },
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

/** API groups whose models come from a package other than `kubernetes-models`. */
const MODEL_PACKAGES = { 'gateway.networking.k8s.io': '@kubernetes-models/gateway-api' };

async function modelFor(apiVersion, kind) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  try {
    const module = await import(`${MODEL_PACKAGES[group] ?? 'kubernetes-models'}/${apiVersion}`);
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
