import type { K8sObject } from './render';

/**
 * Shopwire's deployment rules, checked on rendered manifests. Each function returns the broken
 * rules as readable sentences (empty when all hold), so a failing test says what to fix. The
 * objects have passed the schema check already; these are the rules a schema cannot express.
 */

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Resources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface EnvFrom {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface Container {
  name: string;
  image?: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: Resources;
  securityContext?: SecurityContext;
  lifecycle?: { preStop?: { exec?: { command?: string[] }; sleep?: { seconds?: number } } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: unknown[];
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; emptyDir?: unknown; secret?: unknown; configMap?: unknown }[];
  restartPolicy?: string;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}

/** Time an app may need to drain after SIGTERM: the longest in-flight work (docs/deploy.md). */
export const MIN_DRAIN_SECONDS = 20;

const WORKLOAD_KINDS = new Set(['Deployment', 'Job']);

function podTemplate(object: K8sObject): PodTemplate | undefined {
  if (!WORKLOAD_KINDS.has(object.kind)) return undefined;
  return (object.spec as { template?: PodTemplate } | undefined)?.template;
}

function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

function quantityPresent(resources: Resources | undefined, kind: 'requests' | 'limits') {
  const values = resources?.[kind] ?? {};
  return Boolean(values.cpu) && Boolean(values.memory);
}

function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep?.seconds !== undefined) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  if (command[0] === 'sleep' && command[1] !== undefined) return Number(command[1]);
  return 0;
}

/** Pod and container hardening, shared by Deployments and Jobs. */
function checkPodSecurity(where: string, spec: PodSpec): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  if (pod.seccompProfile?.type !== 'RuntimeDefault')
    problems.push(`${where}: pod securityContext.seccompProfile must be RuntimeDefault`);
  if (spec.automountServiceAccountToken !== false)
    problems.push(`${where}: automountServiceAccountToken must be false (no API access needed)`);
  for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const c = container.securityContext ?? {};
    const at = `${where} container ${container.name}`;
    if (!(c.runAsNonRoot ?? pod.runAsNonRoot)) problems.push(`${at}: runAsNonRoot must be true`);
    const user = c.runAsUser ?? pod.runAsUser;
    if (user === 0) problems.push(`${at}: runAsUser must not be 0`);
    if (c.readOnlyRootFilesystem !== true)
      problems.push(`${at}: readOnlyRootFilesystem must be true`);
    if (c.allowPrivilegeEscalation !== false)
      problems.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(c.capabilities?.drop ?? []).includes('ALL'))
      problems.push(`${at}: capabilities.drop must include ALL`);
    if ((c.capabilities?.add ?? []).length > 0) problems.push(`${at}: must not add capabilities`);
    if (!quantityPresent(container.resources, 'requests'))
      problems.push(`${at}: needs cpu and memory requests`);
    if (!quantityPresent(container.resources, 'limits'))
      problems.push(`${at}: needs cpu and memory limits`);
    const tmp = (container.volumeMounts ?? []).find((mount) => mount.mountPath === '/tmp');
    const volume = spec.volumes?.find((v) => v.name === tmp?.name);
    if (!volume?.emptyDir)
      problems.push(`${at}: needs an emptyDir on /tmp (the root filesystem is read-only)`);
    if (!container.image || /:latest$/.test(container.image))
      problems.push(`${at}: image must be set and not :latest`);
  }
  return problems;
}

export function checkDeployments(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployments = ofKind(objects, 'Deployment');
  if (deployments.length === 0) problems.push('no Deployment rendered');
  const services = ofKind(objects, 'Service');
  const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
  const scaledObjects = ofKind(objects, 'ScaledObject');
  const pdbs = ofKind(objects, 'PodDisruptionBudget');

  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const where = `Deployment ${name}`;
    const template = podTemplate(deployment);
    if (!template) {
      problems.push(`${where}: has no pod template`);
      continue;
    }
    const labels = template.metadata?.labels ?? {};
    const spec = template.spec;
    problems.push(...checkPodSecurity(where, spec));
    if ((deployment.spec as { replicas?: number }).replicas !== undefined)
      problems.push(`${where}: must not set replicas (its autoscaler owns the count)`);
    if (!spec.topologySpreadConstraints?.length)
      problems.push(`${where}: needs topologySpreadConstraints`);

    for (const container of spec.containers) {
      const at = `${where} container ${container.name}`;
      if (container.livenessProbe?.httpGet?.path !== '/health/live')
        problems.push(`${at}: livenessProbe must GET /health/live`);
      if (container.readinessProbe?.httpGet?.path !== '/health/ready')
        problems.push(`${at}: readinessProbe must GET /health/ready`);
      if (!container.startupProbe) problems.push(`${at}: needs a startupProbe`);
      const sleep = preStopSeconds(container);
      if (sleep <= 0)
        problems.push(`${at}: needs a preStop sleep (endpoint removal before SIGTERM)`);
      const grace = spec.terminationGracePeriodSeconds ?? 30;
      if (grace <= sleep + MIN_DRAIN_SECONDS)
        problems.push(
          `${at}: terminationGracePeriodSeconds ${grace} must exceed preStop ${sleep} s + drain ${MIN_DRAIN_SECONDS} s`,
        );
    }

    // Exactly one autoscaler: an HPA, or a KEDA ScaledObject (which creates its own HPA).
    const scalers = [
      ...hpas.filter((hpa) => {
        const ref = (hpa.spec as { scaleTargetRef?: { kind?: string; name?: string } })
          .scaleTargetRef;
        return ref?.kind === 'Deployment' && ref.name === name;
      }),
      ...scaledObjects.filter(
        (so) => (so.spec as { scaleTargetRef?: { name?: string } }).scaleTargetRef?.name === name,
      ),
    ];
    if (scalers.length !== 1)
      problems.push(`${where}: needs exactly one HPA or ScaledObject, found ${scalers.length}`);
    for (const hpa of scalers.filter((s) => s.kind === 'HorizontalPodAutoscaler')) {
      if (hpa.apiVersion !== 'autoscaling/v2')
        problems.push(`HPA ${hpa.metadata.name}: use autoscaling/v2`);
      const metrics = (hpa.spec as { metrics?: { resource?: { name?: string } }[] }).metrics ?? [];
      for (const resource of ['cpu', 'memory'])
        if (!metrics.some((m) => m.resource?.name === resource))
          problems.push(`HPA ${hpa.metadata.name}: needs a ${resource} metric`);
    }

    // A PDB that selects these pods and still lets a node drain proceed.
    const minReplicas = Math.min(
      ...scalers.map((s) => {
        const spec = s.spec as { minReplicas?: number; minReplicaCount?: number };
        return spec.minReplicas ?? spec.minReplicaCount ?? 1;
      }),
    );
    const budgets = pdbs.filter((pdb) =>
      matches(
        (pdb.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels,
        labels,
      ),
    );
    if (budgets.length !== 1)
      problems.push(`${where}: needs exactly one PodDisruptionBudget, found ${budgets.length}`);
    for (const pdb of budgets) {
      const minAvailable = (pdb.spec as { minAvailable?: number | string }).minAvailable;
      if (typeof minAvailable === 'number' && minAvailable >= minReplicas)
        problems.push(
          `PDB ${pdb.metadata.name}: minAvailable ${minAvailable} >= min replicas ${minReplicas} would block every node drain`,
        );
    }

    // A Service that selects these pods on a port the container really has.
    const ports = spec.containers.flatMap((c) => c.ports ?? []);
    const selecting = services.filter((service) =>
      matches((service.spec as { selector?: Record<string, string> }).selector, labels),
    );
    if (selecting.length === 0) problems.push(`${where}: no Service selects its pods`);
    for (const service of selecting) {
      for (const port of (service.spec as { ports?: { targetPort?: string | number }[] }).ports ??
        []) {
        const target = port.targetPort;
        if (!ports.some((p) => p.name === target || p.containerPort === target))
          problems.push(
            `Service ${service.metadata.name}: targetPort ${target} is not a container port`,
          );
      }
    }
  }
  return problems;
}

/** Every secret is a reference to a Secret created outside git; none is rendered. */
export function checkSecrets(objects: K8sObject[], documented: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const secret of ofKind(objects, 'Secret'))
    problems.push(
      `Secret ${secret.metadata.name} is rendered${secret.data || secret.stringData ? ' with data' : ''}: secrets are created outside git and only referenced`,
    );
  for (const object of objects) {
    const template = podTemplate(object);
    if (!template) continue;
    for (const container of [
      ...template.spec.containers,
      ...(template.spec.initContainers ?? []),
    ]) {
      const at = `${object.kind} ${object.metadata.name} container ${container.name}`;
      for (const env of container.env ?? []) {
        const ref = env.valueFrom?.secretKeyRef;
        if (!ref) {
          if (
            /(SECRET|TOKEN|PASSWORD|DATABASE_URL|SMTP_URL)/.test(env.name) &&
            env.value !== undefined
          )
            problems.push(`${at}: ${env.name} is inlined; reference a Secret instead`);
          continue;
        }
        if (!documented.get(ref.name)?.has(ref.key))
          problems.push(
            `${at}: ${env.name} references ${ref.name}/${ref.key}, which k8s/secrets.example does not document`,
          );
      }
      for (const from of container.envFrom ?? [])
        if (from.secretRef && !documented.has(from.secretRef.name))
          problems.push(`${at}: envFrom secret ${from.secretRef.name} is not documented`);
    }
  }
  for (const configMap of ofKind(objects, 'ConfigMap'))
    for (const key of Object.keys(configMap.data ?? {}))
      if (/(SECRET|TOKEN|PASSWORD|DATABASE_URL|SMTP_URL)/.test(key))
        problems.push(
          `ConfigMap ${configMap.metadata.name}: ${key} looks secret; use a Secret reference`,
        );
  return problems;
}

/** Every ConfigMap a pod reads is rendered (generated names carry a hash). */
export function checkConfigMapReferences(objects: K8sObject[]): string[] {
  const names = new Set(ofKind(objects, 'ConfigMap').map((c) => c.metadata.name));
  const problems: string[] = [];
  for (const object of objects) {
    const template = podTemplate(object);
    for (const container of template?.spec.containers ?? []) {
      for (const from of container.envFrom ?? [])
        if (from.configMapRef && !names.has(from.configMapRef.name))
          problems.push(
            `${object.kind} ${object.metadata.name}: ConfigMap ${from.configMapRef.name} is not rendered`,
          );
    }
  }
  return problems;
}

interface IngressPath {
  path?: string;
  backend?: { service?: { name?: string; port?: { name?: string; number?: number } } };
}

/** Paths the public Ingress may carry, each to its Service; anything else is an exposure. */
export type PublicRoutes = Record<string, string>;

/** The Ingress annotation that rate-limits requests per client address (ingress-nginx). */
const RATE_LIMIT = 'nginx.ingress.kubernetes.io/limit-rps';

/**
 * The internal ingress controller's class: a private load balancer (office network, VPN), never
 * the internet. It may carry only `INTERNAL_BACKENDS`; everything on it is checked apart from the
 * public surface.
 */
export const INTERNAL_INGRESS_CLASS = 'nginx-internal';

/** What may sit behind an internal route: the operator's console (every page needs sign-in). */
export const INTERNAL_BACKENDS: readonly string[] = ['console'];

/** A Gateway labelled `shopwire.io/exposure: internal` (a private load balancer). */
export const isInternalGateway = (gateway: K8sObject) =>
  (gateway.metadata as { labels?: Record<string, string> }).labels?.['shopwire.io/exposure'] ===
  'internal';

const isInternalIngress = (ingress: K8sObject) =>
  (ingress.spec as { ingressClassName?: string }).ingressClassName === INTERNAL_INGRESS_CLASS;

/**
 * The internal Ingresses: TLS, and only the internal backends (the console) behind them, so an
 * internal API or /metrics never gets a route even on the private load balancer.
 */
export function checkInternalIngress(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const services = new Set(ofKind(objects, 'Service').map((s) => s.metadata.name));
  for (const ingress of ofKind(objects, 'Ingress').filter(isInternalIngress)) {
    const name = ingress.metadata.name;
    const spec = ingress.spec as {
      tls?: unknown[];
      rules?: { http?: { paths?: IngressPath[] } }[];
    };
    if (!spec.tls?.length) problems.push(`Ingress ${name}: an internal route still needs TLS`);
    for (const path of (spec.rules ?? []).flatMap((rule) => rule.http?.paths ?? [])) {
      const backend = path.backend?.service?.name ?? '';
      if (!INTERNAL_BACKENDS.includes(backend))
        problems.push(`Ingress ${name}: ${backend || 'a backend'} is not an internal backend`);
      else if (!services.has(backend))
        problems.push(`Ingress ${name} → unknown Service ${backend}`);
    }
  }
  return problems;
}

/**
 * The public surface: exactly the allowed paths (Exact, each to its Service), no internal API,
 * `/metrics`, `/health` or `/docs`; every Ingress not carrying Shopify's deliveries is rate
 * limited, the one carrying them is not (a refused delivery is retried and counts towards
 * Shopify dropping the subscription).
 */
export function checkIngress(
  objects: K8sObject[],
  allowed: PublicRoutes,
  shopifyDeliveries = '/webhooks/shopify',
): string[] {
  const problems: string[] = [];
  const services = new Map(ofKind(objects, 'Service').map((s) => [s.metadata.name, s]));
  const ingresses = ofKind(objects, 'Ingress').filter((ingress) => !isInternalIngress(ingress));
  if (ingresses.length === 0) problems.push('no Ingress rendered');
  const routed = new Map<string, string>();
  for (const ingress of ingresses) {
    const name = ingress.metadata.name;
    const annotations =
      (ingress.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    const spec = ingress.spec as {
      ingressClassName?: string;
      rules?: { host?: string; http?: { paths?: (IngressPath & { pathType?: string })[] } }[];
    };
    if (spec.ingressClassName !== 'nginx')
      problems.push(`Ingress ${name}: ingressClassName must be nginx`);
    const paths = (spec.rules ?? []).flatMap((rule) => rule.http?.paths ?? []);
    const carriesDeliveries = paths.some((path) => path.path === shopifyDeliveries);
    if (carriesDeliveries && annotations[RATE_LIMIT])
      problems.push(`Ingress ${name}: Shopify's deliveries must not be rate limited`);
    if (!carriesDeliveries && !annotations[RATE_LIMIT])
      problems.push(
        `Ingress ${name}: a public route other than Shopify's deliveries needs ${RATE_LIMIT}`,
      );
    for (const path of paths) {
      const where = `Ingress ${name}: path ${path.path}`;
      const backend = path.backend?.service;
      const target = Object.hasOwn(allowed, path.path ?? '') ? allowed[path.path!] : undefined;
      if (target === undefined) problems.push(`${where} is not part of the public surface`);
      else if (target !== backend?.name) problems.push(`${where} must route to Service ${target}`);
      if (path.pathType !== 'Exact') problems.push(`${where} must be pathType Exact`);
      const service = backend?.name ? services.get(backend.name) : undefined;
      if (!service) {
        problems.push(`${where} → unknown Service ${backend?.name}`);
        continue;
      }
      const ports = (service.spec as { ports?: { name?: string; port: number }[] }).ports ?? [];
      if (!ports.some((p) => p.name === backend?.port?.name || p.port === backend?.port?.number))
        problems.push(`${where} → port missing on Service ${backend?.name}`);
      routed.set(path.path ?? '', backend!.name!);
    }
  }
  for (const [path, service] of Object.entries(allowed)) {
    if (routed.get(path) !== service) problems.push(`Ingress: ${path} must route to ${service}`);
  }
  return problems;
}

interface PolicySpec {
  podSelector?: { matchLabels?: Record<string, string> };
  policyTypes?: string[];
  ingress?: unknown[];
  egress?: { ports?: { port?: number | string }[] }[];
}

export function checkNetworkPolicies(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = ofKind(objects, 'NetworkPolicy').map((p) => p.spec as PolicySpec);
  const defaultDeny = policies.some(
    (p) =>
      Object.keys(p.podSelector?.matchLabels ?? {}).length === 0 &&
      ['Ingress', 'Egress'].every((t) => p.policyTypes?.includes(t)) &&
      !p.ingress?.length &&
      !p.egress?.length,
  );
  if (!defaultDeny)
    problems.push('NetworkPolicy: a default deny (all pods, Ingress and Egress) is required');
  const dns = policies.some(
    (p) =>
      Object.keys(p.podSelector?.matchLabels ?? {}).length === 0 &&
      (p.egress ?? []).some((rule) => (rule.ports ?? []).some((port) => port.port === 53)),
  );
  if (!dns) problems.push('NetworkPolicy: every pod needs DNS egress (port 53)');
  return problems;
}

/** Release Jobs: present, hardened, never restarted in place, ordered before the rollout. */
export function checkJobs(objects: K8sObject[], expected: string[]): string[] {
  const problems: string[] = [];
  const jobs = ofKind(objects, 'Job');
  const common = ofKind(objects, 'ConfigMap').find((c) =>
    c.metadata.name.startsWith('shopwire-common'),
  );
  for (const name of expected) {
    const job = jobs.find((j) => j.metadata.name === name);
    if (!job) {
      problems.push(`Job ${name} is missing`);
      continue;
    }
    const spec = podTemplate(job)!.spec;
    problems.push(...checkPodSecurity(`Job ${name}`, spec));
    if (spec.restartPolicy !== 'Never') problems.push(`Job ${name}: restartPolicy must be Never`);
    if (job.metadata.annotations?.['argocd.argoproj.io/hook'] !== 'PreSync')
      problems.push(
        `Job ${name}: needs the Argo CD PreSync hook annotation (runs before the rollout)`,
      );
    // A hook runs before the sync creates anything: it may use nothing the sync creates.
    if (spec.serviceAccountName && spec.serviceAccountName !== 'default')
      problems.push(
        `Job ${name}: a hook must not need ServiceAccount ${spec.serviceAccountName} (created later in the sync)`,
      );
    if ((spec.volumes ?? []).some((v) => v.configMap !== undefined))
      problems.push(`Job ${name}: a hook must not mount a ConfigMap (created later in the sync)`);
    for (const container of spec.containers) {
      if ((container.envFrom ?? []).some((from) => from.configMapRef))
        problems.push(`Job ${name}: a hook must not read a ConfigMap (created later in the sync)`);
      for (const env of container.env ?? []) {
        if (env.valueFrom?.configMapKeyRef)
          problems.push(`Job ${name}: ${env.name} reads a ConfigMap (created later in the sync)`);
        const shared = common?.data?.[env.name];
        if (env.value !== undefined && shared !== undefined && env.value !== shared)
          problems.push(
            `Job ${name}: ${env.name}=${env.value} differs from shopwire-common (${shared}); include components/release-jobs`,
          );
      }
    }
  }
  return problems;
}

/** Consumers can't use more replicas than partitions: cap every consumer autoscaler there. */
export function checkReplicaCaps(objects: K8sObject[], consumers: string[]): string[] {
  const common = ofKind(objects, 'ConfigMap').find((c) =>
    c.metadata.name.startsWith('shopwire-common'),
  );
  const partitions = Number(common?.data?.KAFKA_TOPIC_PARTITIONS);
  if (!Number.isInteger(partitions) || partitions < 1)
    return ['ConfigMap shopwire-common: KAFKA_TOPIC_PARTITIONS must be set'];
  const problems: string[] = [];
  for (const scaler of [
    ...ofKind(objects, 'HorizontalPodAutoscaler'),
    ...ofKind(objects, 'ScaledObject'),
  ]) {
    const spec = scaler.spec as {
      scaleTargetRef?: { name?: string };
      maxReplicas?: number;
      maxReplicaCount?: number;
    };
    const target = spec.scaleTargetRef?.name ?? '';
    const max = spec.maxReplicas ?? spec.maxReplicaCount ?? 0;
    if (consumers.includes(target) && max > partitions)
      problems.push(
        `${scaler.kind} ${scaler.metadata.name}: max ${max} replicas > ${partitions} partitions (the extra consumers would idle)`,
      );
  }
  return problems;
}

interface PolicyPeer {
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: { matchLabels?: Record<string, string> };
}
interface FullPolicySpec {
  podSelector?: { matchLabels?: Record<string, string> };
  policyTypes?: string[];
  ingress?: { from?: PolicyPeer[] }[];
  egress?: { to?: PolicyPeer[]; ports?: { port?: number | string }[] }[];
}

/** A same-namespace peer (podSelector only) that selects pods with these labels. */
function peerSelects(peer: PolicyPeer, labels: Record<string, string>): boolean {
  return (
    !peer.namespaceSelector &&
    peer.podSelector !== undefined &&
    matches(peer.podSelector.matchLabels, labels)
  );
}

function selects(policy: FullPolicySpec, labels: Record<string, string>): boolean {
  const selector = policy.podSelector?.matchLabels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * Under default deny, each workload must still reach what its configuration names: DNS always,
 * Kafka always, Postgres with a DATABASE_URL, SMTP with an SMTP_URL, HTTPS with an ERP_URL; and
 * every Ingress or HTTPRoute backend must admit the controller (in `controllerNamespace`).
 * Catches the policy that breaks an app.
 */
export function checkNetworkReachability(
  objects: K8sObject[],
  controllerNamespace = 'ingress-nginx',
): string[] {
  const problems: string[] = [];
  const policies = ofKind(objects, 'NetworkPolicy').map((p) => p.spec as FullPolicySpec);
  const configMaps = new Map(
    ofKind(objects, 'ConfigMap').map((c) => [c.metadata.name, c.data ?? {}]),
  );
  const egressPorts = (labels: Record<string, string>) =>
    new Set(
      policies
        .filter((p) => p.policyTypes?.includes('Egress') && selects(p, labels))
        .flatMap((p) => p.egress ?? [])
        .flatMap((rule) => (rule.ports ?? []).map((port) => Number(port.port))),
    );

  for (const object of objects) {
    const template = podTemplate(object);
    if (!template) continue;
    const labels = template.metadata?.labels ?? {};
    const allowed = egressPorts(labels);
    const variables = new Set<string>();
    for (const container of template.spec.containers) {
      for (const env of container.env ?? []) variables.add(env.name);
      for (const from of container.envFrom ?? [])
        for (const key of Object.keys(configMaps.get(from.configMapRef?.name ?? '') ?? {}))
          variables.add(key);
    }
    const needs: [number, string][] = [[53, 'DNS']];
    if (variables.has('KAFKA_BROKERS')) needs.push([9092, 'Kafka']);
    if (variables.has('DATABASE_URL')) needs.push([5432, 'Postgres']);
    if (variables.has('REDIS_URL')) needs.push([6379, 'Redis']);
    if (variables.has('SMTP_URL')) needs.push([587, 'SMTP']);
    if (variables.has('ERP_URL')) needs.push([443, 'HTTPS (ERP)']);
    if (variables.has('JOBS_CALLBACK_SECRET')) needs.push([443, 'HTTPS (job callbacks)']);
    for (const [port, what] of needs)
      if (!allowed.has(port))
        problems.push(
          `${object.kind} ${object.metadata.name}: no NetworkPolicy lets it reach ${what} (port ${port})`,
        );
  }

  // Calls between services (an env value such as http://inventory:3002): the caller's egress and
  // the callee's ingress must both allow them.
  const services = new Map(ofKind(objects, 'Service').map((svc) => [svc.metadata.name, svc]));
  const deploymentLabels = ofKind(objects, 'Deployment').map(
    (d) => podTemplate(d)?.metadata?.labels ?? {},
  );
  for (const object of objects) {
    const template = podTemplate(object);
    if (!template) continue;
    const labels = template.metadata?.labels ?? {};
    const values: string[] = [];
    for (const container of template.spec.containers) {
      for (const env of container.env ?? []) if (env.value) values.push(env.value);
      for (const from of container.envFrom ?? [])
        values.push(...Object.values(configMaps.get(from.configMapRef?.name ?? '') ?? {}));
    }
    for (const value of values) {
      const call = /^https?:\/\/([a-z0-9-]+)(?:\.[a-z0-9.-]*)?:(\d+)/.exec(value);
      const service = call ? services.get(call[1]!) : undefined;
      if (!call || !service) continue;
      const port = Number(call[2]);
      const selector = (service.spec as { selector?: Record<string, string> }).selector ?? {};
      const targets = deploymentLabels.filter((target) => matches(selector, target));
      const egressOk = policies.some(
        (p) =>
          p.policyTypes?.includes('Egress') &&
          selects(p, labels) &&
          (p.egress ?? []).some(
            (rule) =>
              (rule.ports ?? []).some((p2) => Number(p2.port) === port) &&
              (!rule.to?.length ||
                targets.every((t) => rule.to!.some((peer) => peerSelects(peer, t)))),
          ),
      );
      if (!egressOk)
        problems.push(
          `${object.kind} ${object.metadata.name}: no NetworkPolicy lets it call ${call[1]}:${port}`,
        );
      for (const target of targets) {
        const ingressOk = policies.some(
          (p) =>
            p.policyTypes?.includes('Ingress') &&
            selects(p, target) &&
            (p.ingress ?? []).some((rule) =>
              (rule.from ?? []).some((peer) => peerSelects(peer, labels)),
            ),
        );
        if (!ingressOk)
          problems.push(
            `Service ${call[1]}: its pods do not admit calls from ${object.kind} ${object.metadata.name}`,
          );
      }
    }
  }

  // The public backends: what a public Ingress or a Gateway API HTTPRoute of the public Gateway
  // sends traffic to. The internal ones (the console) admit their own controller instead.
  const internalGateways = new Set(
    ofKind(objects, 'Gateway')
      .filter(isInternalGateway)
      .map((g) => g.metadata.name),
  );
  const backends = new Set([
    ...ofKind(objects, 'Ingress')
      .filter((ingress) => !isInternalIngress(ingress))
      .flatMap((ingress) =>
        ((ingress.spec as { rules?: { http?: { paths?: IngressPath[] } }[] }).rules ?? []).flatMap(
          (rule) => (rule.http?.paths ?? []).map((path) => path.backend?.service?.name ?? ''),
        ),
      ),
    ...ofKind(objects, 'HTTPRoute')
      .filter(
        (route) =>
          !((route.spec as { parentRefs?: { name: string }[] }).parentRefs ?? []).some((ref) =>
            internalGateways.has(ref.name),
          ),
      )
      .flatMap((route) =>
        ((route.spec as { rules?: { backendRefs?: { name: string }[] }[] }).rules ?? []).flatMap(
          (rule) => (rule.backendRefs ?? []).map((ref) => ref.name),
        ),
      ),
  ]);
  for (const service of ofKind(objects, 'Service').filter((s) => backends.has(s.metadata.name))) {
    const selector = (service.spec as { selector?: Record<string, string> }).selector ?? {};
    const pods = ofKind(objects, 'Deployment')
      .map((d) => podTemplate(d)?.metadata?.labels ?? {})
      .filter((labels) => matches(selector, labels));
    for (const labels of pods) {
      const admitted = policies.some(
        (p) =>
          p.policyTypes?.includes('Ingress') &&
          selects(p, labels) &&
          (p.ingress ?? []).some((rule) =>
            (rule.from ?? []).some(
              (peer) =>
                peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ===
                controllerNamespace,
            ),
          ),
      );
      if (!admitted)
        problems.push(
          `Service ${service.metadata.name}: its pods do not admit the ingress controller (${controllerNamespace})`,
        );
    }
  }
  // The reverse: a workload no Ingress routes to (an internal API) admits nothing from the
  // controller, so a stray Ingress added later cannot reach it either.
  const publicPods = ofKind(objects, 'Service')
    .filter((s) => backends.has(s.metadata.name))
    .map((s) => (s.spec as { selector?: Record<string, string> }).selector ?? {});
  for (const deployment of ofKind(objects, 'Deployment')) {
    const labels = podTemplate(deployment)?.metadata?.labels ?? {};
    if (publicPods.some((selector) => matches(selector, labels))) continue;
    // An internal backend admits the internal controller; where both controllers share a
    // namespace (Envoy Gateway), its policy selects the internal Gateway's proxies by label.
    if (INTERNAL_BACKENDS.includes(deployment.metadata.name)) continue;
    const fromController = policies.some(
      (p) =>
        p.policyTypes?.includes('Ingress') &&
        selects(p, labels) &&
        (p.ingress ?? []).some((rule) =>
          (rule.from ?? []).some(
            (peer) =>
              peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] ===
              controllerNamespace,
          ),
        ),
    );
    if (fromController)
      problems.push(
        `Deployment ${deployment.metadata.name}: not behind the public Ingress, yet admits the ingress controller`,
      );
  }
  return problems;
}
