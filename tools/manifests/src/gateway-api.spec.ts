import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkGatewayRoutes } from './gateway-api';
import {
  checkConfigMapReferences,
  checkDeployments,
  checkJobs,
  checkNetworkPolicies,
  checkNetworkReachability,
  checkSecrets,
  type PublicRoutes,
} from './invariants';
import { renderKustomization, runSchemaCheck, type K8sObject } from './render';
import { documentedSecrets } from './secrets-example';

/**
 * k8s/overlays/prod-gateway-api: production with the Ingresses replaced by Gateway API objects
 * (k8s/components/gateway-api). Checked against the Gateway API schemas and against the Ingress
 * it replaces: the same public surface, and otherwise the same objects as k8s/overlays/prod.
 */
const OVERLAY = 'k8s/overlays/prod-gateway-api';
const CONTROLLER_NAMESPACE = 'envoy-gateway-system';
const GATEWAY_API_KINDS = new Set(['Gateway', 'HTTPRoute', 'BackendTrafficPolicy']);

const prod = renderKustomization('k8s/overlays/prod');
const rendered = renderKustomization(OVERLAY);
const render = () => structuredClone(rendered);

/**
 * What the public Ingress publishes: path → Service. The public Gateway must publish exactly this
 * (the console's internal Ingress becomes the internal Gateway's route, checked apart).
 */
const INGRESS_ROUTES: PublicRoutes = Object.fromEntries(
  prod
    .filter((o) => o.kind === 'Ingress')
    .filter((o) => (o.spec as { ingressClassName?: string }).ingressClassName === 'nginx')
    .flatMap((o) =>
      (
        o.spec as {
          rules: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }[];
        }
      ).rules.flatMap((r) => r.http.paths.map((p) => [p.path, p.backend.service.name])),
    ),
);

const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name)!;
type Rule = {
  matches: { path: { type: string; value: string } }[];
  backendRefs?: { name: string; port: number }[];
};
const rules = (route: K8sObject) => (route.spec as { rules: Rule[] }).rules;

describe(`rendered ${OVERLAY}`, () => {
  it('passes the Gateway API schemas (@kubernetes-models/gateway-api) and the Kubernetes ones', () => {
    const result = runSchemaCheck([OVERLAY]);
    expect(result.output).toMatch(`${OVERLAY}: ${rendered.length} objects valid`);
    expect(result.status).toBe(0);
  }, 60_000);

  it('publishes exactly what the Ingress did, by exact path, and rate limits all but the deliveries', () => {
    expect(Object.keys(INGRESS_ROUTES).sort()).toEqual([
      '/auth/callback',
      '/auth/install',
      '/auth/token-exchange',
      '/webhooks/shopify',
    ]);
    const objects = render();
    expect(checkGatewayRoutes(objects, INGRESS_ROUTES)).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
    expect(
      objects
        .filter((o) => GATEWAY_API_KINDS.has(o.kind))
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([
      'shopwire',
      'shopwire-console',
      'shopwire-https-redirect',
      'shopwire-install',
      'shopwire-install-rate-limit',
      'shopwire-internal',
      'shopwire-webhooks',
      'shopwire-webhooks-load-balancing',
    ]);
  });

  it('routes the console on the internal Gateway only, and nothing else there', () => {
    const objects = render();
    const internal = find(objects, 'Gateway', 'shopwire-internal');
    expect(internal.metadata.labels).toMatchObject({ 'shopwire.io/exposure': 'internal' });
    const route = find(objects, 'HTTPRoute', 'shopwire-console');
    expect(rules(route).flatMap((rule) => rule.backendRefs ?? [])).toEqual([
      { kind: 'Service', name: 'console', port: 3007 },
    ]);
    // An internal API put behind the internal Gateway is refused.
    rules(route)[0]!.backendRefs = [{ name: 'order', port: 3001 }];
    expect(checkGatewayRoutes(objects, INGRESS_ROUTES).join('\n')).toMatch(
      /HTTPRoute shopwire-console: order is not an internal backend/,
    );
  });

  it('admits the Gateway’s proxies to the gateway and the shops service only, and keeps every other invariant', () => {
    const objects = render();
    expect(checkNetworkReachability(objects, CONTROLLER_NAMESPACE)).toEqual([]);
    expect(checkNetworkPolicies(objects)).toEqual([]);
    expect(checkDeployments(objects)).toEqual([]);
    expect(checkSecrets(objects, documentedSecrets())).toEqual([]);
    expect(checkConfigMapReferences(objects)).toEqual([]);
    expect(checkJobs(objects, ['shopwire-provision', 'shopwire-migrate'])).toEqual([]);
    // ingress-nginx no longer reaches anything.
    expect(JSON.stringify(objects)).not.toContain('ingress-nginx');
  });

  it('differs from k8s/overlays/prod only in the edge: Ingresses out, Gateway API objects in', () => {
    const edge = (o: K8sObject) =>
      o.kind === 'Ingress' ||
      GATEWAY_API_KINDS.has(o.kind) ||
      (o.kind === 'NetworkPolicy' &&
        ['allow-from-ingress-controller', 'allow-from-internal-ingress-controller'].includes(
          o.metadata.name,
        ));
    expect(rendered.filter((o) => !edge(o))).toEqual(prod.filter((o) => !edge(o)));
    for (const object of rendered.filter((o) => GATEWAY_API_KINDS.has(o.kind)))
      expect(object.metadata.namespace).toBe('shopwire');
  });
});

describe('the Gateway API checks catch what they guard against', () => {
  it('an HTTPRoute or Gateway the schema refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shopwire-gateway-api-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [bad.yaml]\n');
      writeFileSync(
        join(dir, 'bad.yaml'),
        [
          'apiVersion: gateway.networking.k8s.io/v1',
          'kind: HTTPRoute',
          'metadata: {name: bad-route}',
          'spec:',
          '  rules:',
          '    - matches: [{path: {type: Prefix, value: /webhooks}}]',
          '---',
          'apiVersion: gateway.networking.k8s.io/v1',
          'kind: Gateway',
          'metadata: {name: bad-gateway}',
          'spec: {gatewayClassName: eg, listeners: [{name: https, protocol: HTTPS, port: 70000}]}',
          '---',
          'apiVersion: gateway.envoyproxy.io/v1alpha1',
          'kind: BackendTrafficPolicy',
          'metadata: {name: bad-policy}',
          'spec:',
          '  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: bad-route}]',
          '  rateLimit: {type: Global, global: {rules: [{limit: {requests: 5, unit: Fortnight}}]}}',
        ].join('\n'),
      );
      const result = runSchemaCheck([dir]);
      expect(result.status).toBe(1);
      expect(result.output).toMatch(/HTTPRoute\/bad-route: .*path\/type/);
      expect(result.output).toMatch(/Gateway\/bad-gateway: .*port/);
      expect(result.output).toMatch(/BackendTrafficPolicy\/bad-policy: .*limit\.unit/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('an internal API or /metrics on a route, a PathPrefix match, a wrong backend or port', () => {
    const objects = render();
    const install = find(objects, 'HTTPRoute', 'shopwire-install');
    rules(install)[0]!.matches.push({ path: { type: 'Exact', value: '/metrics' } });
    rules(install)[0]!.matches[0]!.path.type = 'PathPrefix';
    const webhooks = find(objects, 'HTTPRoute', 'shopwire-webhooks');
    rules(webhooks)[0]!.backendRefs![0]!.port = 3001;
    const problems = checkGatewayRoutes(objects, INGRESS_ROUTES).join('\n');
    expect(problems).toMatch(/path \/metrics is not part of the public surface/);
    expect(problems).toMatch(/path \/auth\/install must be type Exact/);
    expect(problems).toMatch(/port 3001 missing on Service gateway/);
  });

  it('a path left out, a rate limit missing from the install flow or put on the deliveries', () => {
    const objects = render();
    rules(find(objects, 'HTTPRoute', 'shopwire-install'))[0]!.matches.pop();
    const policy = find(objects, 'BackendTrafficPolicy', 'shopwire-install-rate-limit');
    (policy.spec as { targetRefs: { name: string }[] }).targetRefs[0]!.name = 'shopwire-webhooks';
    const problems = checkGatewayRoutes(objects, INGRESS_ROUTES).join('\n');
    expect(problems).toMatch(/\/auth\/token-exchange must route to shops/);
    expect(problems).toMatch(
      /shopwire-install: a public route other than Shopify's deliveries needs/,
    );
    expect(problems).toMatch(/shopwire-webhooks: Shopify's deliveries must not be rate limited/);
  });

  it('routes from other namespaces, HTTPS without a certificate, a backend on plain HTTP, an Ingress left over', () => {
    const objects = render();
    const gateway = find(objects, 'Gateway', 'shopwire');
    const listeners = (gateway.spec as { listeners: Record<string, unknown>[] }).listeners;
    listeners[0]!.allowedRoutes = { namespaces: { from: 'All' } };
    delete listeners[0]!.tls;
    const redirect = find(objects, 'HTTPRoute', 'shopwire-https-redirect');
    (redirect.spec as { rules: unknown[] }).rules = [
      {
        matches: [{ path: { type: 'Exact', value: '/webhooks/shopify' } }],
        backendRefs: [{ name: 'gateway', port: 3000 }],
      },
    ];
    objects.push(find(prod, 'Ingress', 'shopwire-webhooks'));
    const problems = checkGatewayRoutes(objects, INGRESS_ROUTES).join('\n');
    expect(problems).toMatch(/listener https must accept routes from its own namespace only/);
    expect(problems).toMatch(/listener https serves HTTPS without a certificate/);
    expect(problems).toMatch(/shopwire-https-redirect: plain HTTP may only redirect to HTTPS/);
    expect(problems).toMatch(/an Ingress is rendered beside the Gateway/);
  });

  it('an internal service whose pods admit the Gateway’s proxies, or shops cut off from them', () => {
    const objects = render();
    const order = find(objects, 'Deployment', 'order');
    (
      order.spec as { template: { metadata: { labels: Record<string, string> } } }
    ).template.metadata.labels['shopwire.io/ingress'] = 'true';
    expect(checkNetworkReachability(objects, CONTROLLER_NAMESPACE).join('\n')).toMatch(
      /Deployment order: not behind the public Ingress, yet admits the ingress controller/,
    );
    // Still pointing at ingress-nginx, the Gateway's proxies could not reach their backends.
    expect(
      checkNetworkReachability(
        prod
          .filter((o) => o.kind !== 'Ingress')
          .concat(objects.filter((o) => o.kind === 'HTTPRoute')),
        CONTROLLER_NAMESPACE,
      ).join('\n'),
    ).toMatch(
      /Service gateway: its pods do not admit the ingress controller \(envoy-gateway-system\)/,
    );
  });
});
