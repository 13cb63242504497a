import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkConfigMapReferences,
  checkDeployments,
  checkIngress,
  checkInternalIngress,
  checkJobs,
  checkNetworkPolicies,
  checkNetworkReachability,
  checkReplicaCaps,
  checkSecrets,
} from './invariants';
import { OVERLAYS, renderKustomization, runSchemaCheck, type K8sObject } from './render';
import {
  appConfigProblems,
  appConfigProblemsOf,
  containerEnvironment,
  provisionJobEnv,
} from './app-config';
import { documentedSecrets, exampleSecretValues } from './secrets-example';

const APPS = [
  'gateway',
  'order',
  'inventory',
  'notification',
  'analytics',
  'sync',
  'shops',
  'console',
];
// The public surface: Shopify's deliveries and the install flow. The internal APIs (every
// service's REST API, shops' token API), /metrics, /health and /docs have no public route.
const PUBLIC_ROUTES = {
  '/webhooks/shopify': 'gateway',
  '/auth/install': 'shops',
  '/auth/callback': 'shops',
  '/auth/token-exchange': 'shops',
};
const CONSUMERS = APPS.filter((app) => app !== 'gateway' && app !== 'console');
const RELEASE_JOBS = ['shopwire-provision', 'shopwire-migrate'];
const secrets = documentedSecrets();

function allProblems(objects: K8sObject[]): string[] {
  return [
    ...checkDeployments(objects),
    ...checkSecrets(objects, secrets),
    ...checkConfigMapReferences(objects),
    ...checkIngress(objects, PUBLIC_ROUTES),
    ...checkInternalIngress(objects),
    ...checkNetworkPolicies(objects),
    ...checkNetworkReachability(objects),
    ...checkJobs(objects, RELEASE_JOBS),
    ...checkReplicaCaps(objects, CONSUMERS),
  ];
}

const rendered = new Map<string, K8sObject[]>();
function render(overlay: string): K8sObject[] {
  if (!rendered.has(overlay)) rendered.set(overlay, renderKustomization(overlay));
  // A fresh copy each time: the negative tests below mutate theirs.
  return structuredClone(rendered.get(overlay)!);
}

describe.each(OVERLAYS)('rendered %s', (overlay) => {
  it('runs every app as a hardened, probed, autoscaled, disruption-budgeted Deployment with a Service', () => {
    const objects = render(overlay);
    expect(
      objects
        .filter((o) => o.kind === 'Deployment')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([...APPS].sort());
    expect(checkDeployments(objects)).toEqual([]);
  });

  it('references secrets only, each documented in k8s/secrets.example, and renders no Secret', () => {
    expect(checkSecrets(render(overlay), secrets)).toEqual([]);
  });

  it('routes only the webhook endpoint and the install flow from the internet, the latter rate limited', () => {
    const objects = render(overlay);
    expect(checkIngress(objects, PUBLIC_ROUTES)).toEqual([]);
    const paths = objects
      .filter((o) => o.kind === 'Ingress')
      .filter((o) => (o.spec as { ingressClassName?: string }).ingressClassName === 'nginx')
      .flatMap((o) =>
        (o.spec as { rules: { http: { paths: { path: string }[] } }[] }).rules.flatMap((r) =>
          r.http.paths.map((p) => p.path),
        ),
      );
    expect(paths.sort()).toEqual(Object.keys(PUBLIC_ROUTES).sort());
    for (const path of paths) expect(path).not.toMatch(/api|metrics|docs|health|internal/);
  });

  it('denies all traffic by default and allows DNS', () => {
    expect(checkNetworkPolicies(render(overlay))).toEqual([]);
  });

  it('still lets each workload reach what its config names, and the controller reach the backends', () => {
    expect(checkNetworkReachability(render(overlay))).toEqual([]);
  });

  it('has the release Jobs, ConfigMaps that exist, and consumer replicas capped at the partitions', () => {
    const objects = render(overlay);
    expect(checkJobs(objects, RELEASE_JOBS)).toEqual([]);
    expect(checkConfigMapReferences(objects)).toEqual([]);
    expect(checkReplicaCaps(objects, CONSUMERS)).toEqual([]);
  });

  it('puts every object in one namespace, created by the overlay', () => {
    const objects = render(overlay);
    const namespace = objects.find((o) => o.kind === 'Namespace')?.metadata.name;
    expect(namespace).toMatch(/^shopwire/);
    for (const object of objects.filter((o) => o.kind !== 'Namespace'))
      expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(
        `${object.kind}/${object.metadata.name} in ${namespace}`,
      );
  });

  it('gives each app a configuration its own schema accepts (secrets from the example placeholders)', () => {
    const objects = render(overlay);
    const values = exampleSecretValues();
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    const problems = appConfigProblemsOf(
      deployments.map((deployment) => ({
        app: deployment.metadata.name,
        env: containerEnvironment(deployment, objects, values),
      })),
    );
    deployments.forEach((deployment, index) =>
      expect([deployment.metadata.name, problems[index]]).toEqual([deployment.metadata.name, []]),
    );
  }, 60_000);

  it('pins every image to a tag', () => {
    for (const object of render(overlay)) {
      const spec = (object.spec as { template?: { spec?: { containers?: { image?: string }[] } } })
        ?.template?.spec;
      for (const container of spec?.containers ?? [])
        expect(container.image).toMatch(/^shopwire\/[a-z-]+:[\w.-]+$/);
    }
  });
});

it('validates every rendered object against the Kubernetes schema (kubernetes-models)', () => {
  const result = runSchemaCheck(OVERLAYS);
  for (const overlay of OVERLAYS) expect(result.output).toMatch(`${overlay}: `);
  expect(result.output).not.toMatch(/schema-check: .*: (?!\d+ objects valid)/);
  expect(result.status).toBe(0);
}, 120_000);

it('the schema check rejects an invalid object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shopwire-manifests-'));
  try {
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [bad.yaml]\n');
    writeFileSync(
      join(dir, 'bad.yaml'),
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata: {name: bad}',
        'spec:',
        '  ports: [{port: "not-a-number"}]',
      ].join('\n'),
    );
    const result = runSchemaCheck([dir]);
    expect(result.status).toBe(1);
    expect(result.output).toContain('Service/bad');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the invariants catch what they guard against', () => {
  const find = (objects: K8sObject[], kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name.startsWith(name))!;
  type Pod = { containers: Record<string, unknown>[]; [key: string]: unknown };
  const pod = (deployment: K8sObject) =>
    (deployment.spec as { template: { spec: Pod } }).template.spec;

  it('a missing probe, a writable root filesystem or a short grace period', () => {
    const objects = render('k8s/overlays/prod');
    const spec = pod(find(objects, 'Deployment', 'order'));
    delete spec.containers[0]!.livenessProbe;
    (spec.containers[0]!.securityContext as Record<string, unknown>).readOnlyRootFilesystem = false;
    spec.terminationGracePeriodSeconds = 15;
    const problems = checkDeployments(objects).join('\n');
    expect(problems).toMatch(/order container order: livenessProbe/);
    expect(problems).toMatch(/order container order: readOnlyRootFilesystem/);
    expect(problems).toMatch(/terminationGracePeriodSeconds 15/);
  });

  it('an internal API behind the internal Ingress, or the console on the public one', () => {
    const objects = render('k8s/overlays/prod');
    const internal = find(objects, 'Ingress', 'shopwire-console');
    const paths = (
      internal.spec as {
        rules: { http: { paths: { backend: { service: { name: string } } }[] } }[];
      }
    ).rules[0]!.http.paths;
    paths[0]!.backend.service.name = 'order';
    expect(checkInternalIngress(objects).join('\n')).toMatch(
      /Ingress shopwire-console: order is not an internal backend/,
    );
    (internal.spec as { ingressClassName: string }).ingressClassName = 'nginx';
    expect(checkIngress(objects, PUBLIC_ROUTES).join('\n')).toMatch(
      /Ingress shopwire-console: path \/ is not part of the public surface/,
    );
  });

  it('a Deployment without an autoscaler, or with a PDB that blocks drains', () => {
    const objects = render('k8s/overlays/prod').filter(
      (o) => !(o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'sync'),
    );
    (find(objects, 'PodDisruptionBudget', 'order').spec as Record<string, unknown>).minAvailable =
      3;
    const problems = checkDeployments(objects).join('\n');
    expect(problems).toMatch(/Deployment sync: needs exactly one HPA or ScaledObject, found 0/);
    expect(problems).toMatch(/PDB order: minAvailable 3 >= min replicas 3/);
  });

  it('a rendered Secret, an inlined secret value or an undocumented reference', () => {
    const objects = render('k8s/overlays/dev');
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'leak' },
      data: { API_TOKENS: 'b3BzOnNlY3JldA==' },
    });
    const container = pod(find(objects, 'Deployment', 'analytics')).containers[0] as {
      env: { name: string; value?: string; valueFrom?: unknown }[];
    };
    container.env = [
      { name: 'DATABASE_URL', value: 'postgres://u:p@db/x' },
      { name: 'API_TOKENS', valueFrom: { secretKeyRef: { name: 'somewhere-else', key: 'X' } } },
    ];
    const problems = checkSecrets(objects, secrets).join('\n');
    expect(problems).toMatch(/Secret leak is rendered with data/);
    expect(problems).toMatch(/DATABASE_URL is inlined/);
    expect(problems).toMatch(/references somewhere-else\/X/);
  });

  it('an Ingress path to a Service that does not exist', () => {
    const objects = render('k8s/overlays/dev').filter(
      (o) => !(o.kind === 'Service' && o.metadata.name === 'shops'),
    );
    expect(checkIngress(objects, PUBLIC_ROUTES).join('\n')).toMatch(
      /path \/auth\/install → unknown Service shops/,
    );
  });

  it('an internal API, /metrics or /docs on the Ingress, a Prefix path, a missing or misplaced rate limit', () => {
    const objects = render('k8s/overlays/prod');
    const webhooks = find(objects, 'Ingress', 'shopwire-webhooks');
    const install = find(objects, 'Ingress', 'shopwire-install');
    type Path = { path: string; pathType: string; backend: unknown };
    const paths = (ingress: K8sObject) =>
      (ingress.spec as { rules: { http: { paths: Path[] } }[] }).rules[0]!.http.paths;
    const toOrder = { service: { name: 'order', port: { name: 'http' } } };
    paths(webhooks).push(
      { path: '/api/order', pathType: 'Prefix', backend: toOrder },
      { path: '/metrics', pathType: 'Exact', backend: toOrder },
      { path: '/docs', pathType: 'Exact', backend: toOrder },
    );
    paths(install)[0]!.pathType = 'Prefix';
    const annotations = (o: K8sObject) =>
      (o.metadata as { annotations: Record<string, string> }).annotations;
    delete annotations(install)['nginx.ingress.kubernetes.io/limit-rps'];
    annotations(webhooks)['nginx.ingress.kubernetes.io/limit-rps'] = '1';
    const problems = checkIngress(objects, PUBLIC_ROUTES).join('\n');
    expect(problems).toMatch(/path \/api\/order is not part of the public surface/);
    expect(problems).toMatch(/path \/metrics is not part of the public surface/);
    expect(problems).toMatch(/path \/docs is not part of the public surface/);
    expect(problems).toMatch(/path \/auth\/install must be pathType Exact/);
    expect(problems).toMatch(
      /shopwire-install: a public route other than Shopify's deliveries needs/,
    );
    expect(problems).toMatch(/shopwire-webhooks: Shopify's deliveries must not be rate limited/);
  });

  it('an internal service whose pods admit the ingress controller', () => {
    const objects = render('k8s/overlays/prod');
    const template = (
      find(objects, 'Deployment', 'order').spec as {
        template: { metadata: { labels: Record<string, string> } };
      }
    ).template;
    template.metadata.labels['shopwire.io/ingress'] = 'true';
    expect(checkNetworkReachability(objects)).toEqual([
      'Deployment order: not behind the public Ingress, yet admits the ingress controller',
    ]);
  });

  it('no default-deny NetworkPolicy', () => {
    const objects = render('k8s/overlays/dev').filter(
      (o) => o.metadata.name !== 'default-deny-all',
    );
    expect(checkNetworkPolicies(objects)).toEqual([
      'NetworkPolicy: a default deny (all pods, Ingress and Egress) is required',
    ]);
  });

  it('a policy change that cuts an app off from Postgres, SMTP or the ingress controller', () => {
    const objects = render('k8s/overlays/prod');
    const dataStores = find(objects, 'NetworkPolicy', 'allow-data-stores-egress').spec as {
      egress: { ports: { port: number }[] }[];
    };
    dataStores.egress[0]!.ports = dataStores.egress[0]!.ports.filter((p) => p.port !== 5432);
    const withoutSmtp = objects.filter((o) => o.metadata.name !== 'allow-smtp-egress');
    const fromController = find(withoutSmtp, 'NetworkPolicy', 'allow-from-ingress-controller');
    (fromController.spec as { podSelector: unknown }).podSelector = {
      matchLabels: { 'app.kubernetes.io/name': 'gateway' },
    };
    const problems = checkNetworkReachability(withoutSmtp).join('\n');
    expect(problems).toMatch(/Deployment order: no NetworkPolicy lets it reach Postgres/);
    expect(problems).toMatch(/Job shopwire-migrate: no NetworkPolicy lets it reach Postgres/);
    expect(problems).toMatch(/Deployment notification: no NetworkPolicy lets it reach SMTP/);
    expect(problems).toMatch(/Service shops: its pods do not admit the ingress controller/);
    expect(problems).not.toMatch(/gateway/);
  });

  it('a configuration the app would refuse at start', () => {
    const objects = render('k8s/overlays/dev');
    const gateway = find(objects, 'Deployment', 'gateway');
    const env = containerEnvironment(gateway, objects, new Map());
    expect(appConfigProblems('gateway', env)).toEqual([
      expect.stringMatching(/^SHOPIFY_WEBHOOK_SECRETS: /),
    ]);
    expect(
      appConfigProblems('gateway', { ...env, SHOPIFY_WEBHOOK_SECRETS: 'x', PORT: 'http' }),
    ).toEqual([expect.stringMatching(/^PORT: /)]);
  });

  it('a dependency left at its loopback default (unreachable from a container)', () => {
    const objects = render('k8s/overlays/prod');
    const order = find(objects, 'Deployment', 'order');
    const env = containerEnvironment(order, objects, exampleSecretValues());
    delete env.KAFKA_BROKERS;
    expect(appConfigProblems('order', env)).toEqual([
      'KAFKA_BROKERS: resolves to a loopback address (127.0.0.1:9092); set it',
    ]);
  });

  it('a release Job that needs what the sync creates later, or an overlay without release-jobs', () => {
    const objects = render('k8s/overlays/prod');
    const provision = pod(find(objects, 'Job', 'shopwire-provision'));
    provision.serviceAccountName = 'shopwire-app';
    (provision.containers[0] as { envFrom?: unknown[] }).envFrom = [
      { configMapRef: { name: 'shopwire-common' } },
    ];
    const env = (provision.containers[0] as { env: { name: string; value?: string }[] }).env;
    env.find((e) => e.name === 'KAFKA_TOPIC_PARTITIONS')!.value = 'from-shopwire-common';
    const problems = checkJobs(objects, RELEASE_JOBS).join('\n');
    expect(problems).toMatch(/must not need ServiceAccount shopwire-app/);
    expect(problems).toMatch(/must not read a ConfigMap/);
    expect(problems).toMatch(
      /KAFKA_TOPIC_PARTITIONS=from-shopwire-common differs from shopwire-common \(12\)/,
    );
  });

  it('a call between services that a policy at either end does not allow', () => {
    const objects = render('k8s/overlays/prod').filter(
      (o) => o.metadata.name !== 'allow-inventory-from-sync',
    );
    expect(checkNetworkReachability(objects)).toEqual([
      'Service inventory: its pods do not admit calls from Deployment sync',
    ]);
    const noEgress = render('k8s/overlays/prod').filter(
      (o) => o.metadata.name !== 'allow-sync-to-inventory-egress',
    );
    expect(checkNetworkReachability(noEgress)).toEqual([
      'Deployment sync: no NetworkPolicy lets it call inventory:3002',
    ]);
  });

  it('more consumer replicas than partitions', () => {
    const objects = render('k8s/overlays/prod');
    (
      find(objects, 'HorizontalPodAutoscaler', 'inventory').spec as Record<string, unknown>
    ).maxReplicas = 20;
    expect(checkReplicaCaps(objects, CONSUMERS)).toEqual([
      'HorizontalPodAutoscaler inventory: max 20 replicas > 12 partitions (the extra consumers would idle)',
    ]);
  });

  it('every check passes on the unmodified render (the mutations above are the only cause)', () => {
    expect(allProblems(render('k8s/overlays/prod'))).toEqual([]);
  });
});

describe('topic durability in the provision Job', () => {
  const provisionEnv = (overlay: string) => provisionJobEnv(render(overlay));

  it('prod: replication factor 3 and min.insync.replicas 2, so an acknowledged write survives a broker', () => {
    for (const overlay of ['k8s/overlays/prod', 'k8s/overlays/prod-keda']) {
      expect(provisionEnv(overlay)).toMatchObject({
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_MIN_INSYNC_REPLICAS: '2',
      });
    }
  });

  it('dev: a single broker, 1/1', () => {
    expect(provisionEnv('k8s/overlays/dev')).toMatchObject({
      KAFKA_REPLICATION_FACTOR: '1',
      KAFKA_MIN_INSYNC_REPLICAS: '1',
    });
  });
});
