import type { K8sObject } from './render';
import { INTERNAL_BACKENDS, isInternalGateway, type PublicRoutes } from './invariants';

interface Listener {
  name: string;
  protocol: string;
  tls?: { certificateRefs?: { name: string }[] };
  allowedRoutes?: { namespaces?: { from?: string } };
}

interface RouteRule {
  matches?: { path?: { type?: string; value?: string }; method?: string }[];
  backendRefs?: { kind?: string; name: string; port?: number }[];
  filters?: { type: string; requestRedirect?: { scheme?: string } }[];
}

interface RouteSpec {
  parentRefs?: { name: string; sectionName?: string }[];
  rules?: RouteRule[];
}

interface PolicySpec {
  targetRefs?: { kind?: string; name?: string }[];
  rateLimit?: unknown;
}

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

/**
 * The Gateway API version of `checkIngress`: the same public surface — exactly the allowed paths,
 * Exact, each to its Service and port — and nothing else; HTTPS with a certificate, plain HTTP only
 * redirecting to it; routes attached from Shopwire's namespace only; every route other than
 * Shopify's deliveries rate limited by a policy attached to it, the deliveries' route never.
 */
export function checkGatewayRoutes(
  objects: K8sObject[],
  allowed: PublicRoutes,
  shopifyDeliveries = '/webhooks/shopify',
): string[] {
  const problems: string[] = [];
  if (ofKind(objects, 'Ingress').length > 0)
    problems.push(
      'an Ingress is rendered beside the Gateway: the surface would be published twice',
    );

  const internalGateways = ofKind(objects, 'Gateway').filter(isInternalGateway);
  const internalNames = new Set(internalGateways.map((g) => g.metadata.name));
  problems.push(...checkInternalGatewayRoutes(objects, internalNames));
  const gateways = ofKind(objects, 'Gateway').filter((g) => !isInternalGateway(g));
  if (gateways.length !== 1) problems.push(`expected one public Gateway, found ${gateways.length}`);
  const listeners = new Map<string, Listener>();
  for (const gateway of gateways) {
    for (const listener of (gateway.spec as { listeners?: Listener[] }).listeners ?? []) {
      listeners.set(`${gateway.metadata.name}/${listener.name}`, listener);
      const where = `Gateway ${gateway.metadata.name}: listener ${listener.name}`;
      if (listener.allowedRoutes?.namespaces?.from !== 'Same')
        problems.push(`${where} must accept routes from its own namespace only`);
      if (listener.protocol === 'HTTPS' && !listener.tls?.certificateRefs?.length)
        problems.push(`${where} serves HTTPS without a certificate`);
      if (!['HTTP', 'HTTPS'].includes(listener.protocol))
        problems.push(`${where}: only HTTP and HTTPS are part of the public surface`);
    }
  }

  const services = new Map(ofKind(objects, 'Service').map((s) => [s.metadata.name, s]));
  const routes = ofKind(objects, 'HTTPRoute').filter(
    (route) =>
      !((route.spec as RouteSpec).parentRefs ?? []).some((ref) => internalNames.has(ref.name)),
  );
  const limited = new Set(
    ofKind(objects, 'BackendTrafficPolicy')
      .map((p) => p.spec as PolicySpec)
      .filter((spec) => spec.rateLimit !== undefined)
      .flatMap((spec) => (spec.targetRefs ?? []).filter((ref) => ref.kind === 'HTTPRoute'))
      .map((ref) => ref.name),
  );
  const routeNames = new Set(ofKind(objects, 'HTTPRoute').map((r) => r.metadata.name));
  for (const policy of ofKind(objects, 'BackendTrafficPolicy'))
    for (const ref of (policy.spec as PolicySpec).targetRefs ?? [])
      if (ref.kind === 'HTTPRoute' && !routeNames.has(ref.name ?? ''))
        problems.push(`BackendTrafficPolicy ${policy.metadata.name}: no HTTPRoute ${ref.name}`);

  const routed = new Map<string, string>();
  for (const route of routes) {
    const name = route.metadata.name;
    const spec = route.spec as RouteSpec;
    const parents = (spec.parentRefs ?? []).map((ref) =>
      listeners.get(`${ref.name}/${ref.sectionName ?? ''}`),
    );
    if (parents.length === 0 || parents.some((listener) => listener === undefined))
      problems.push(`HTTPRoute ${name}: must attach to a named listener of the Gateway`);
    const plainHttp = parents.some((listener) => listener?.protocol === 'HTTP');
    let carriesDeliveries = false;
    let hasBackends = false;
    for (const rule of spec.rules ?? []) {
      if (!rule.backendRefs?.length) {
        const redirect = rule.filters?.find((f) => f.type === 'RequestRedirect');
        if (redirect?.requestRedirect?.scheme !== 'https')
          problems.push(`HTTPRoute ${name}: a rule without a backend must redirect to https`);
        continue;
      }
      hasBackends = true;
      if (plainHttp) problems.push(`HTTPRoute ${name}: plain HTTP may only redirect to HTTPS`);
      if (rule.backendRefs.length !== 1)
        problems.push(`HTTPRoute ${name}: each public path goes to exactly one Service`);
      const backend = rule.backendRefs[0]!;
      const service = services.get(backend.name);
      const ports = (service?.spec as { ports?: { port: number }[] } | undefined)?.ports ?? [];
      if (!service) problems.push(`HTTPRoute ${name} → unknown Service ${backend.name}`);
      else if (!ports.some((p) => p.port === backend.port))
        problems.push(
          `HTTPRoute ${name} → port ${backend.port} missing on Service ${backend.name}`,
        );
      if (!rule.matches?.length)
        problems.push(`HTTPRoute ${name}: a rule without matches takes every path`);
      for (const match of rule.matches ?? []) {
        const path = match.path?.value ?? '/';
        const where = `HTTPRoute ${name}: path ${path}`;
        if (match.path?.type !== 'Exact') problems.push(`${where} must be type Exact`);
        const target = Object.hasOwn(allowed, path) ? allowed[path] : undefined;
        if (target === undefined) problems.push(`${where} is not part of the public surface`);
        else if (target !== backend.name) problems.push(`${where} must route to Service ${target}`);
        if (path === shopifyDeliveries) carriesDeliveries = true;
        routed.set(path, backend.name);
      }
    }
    if (carriesDeliveries && limited.has(name))
      problems.push(`HTTPRoute ${name}: Shopify's deliveries must not be rate limited`);
    if (hasBackends && !carriesDeliveries && !limited.has(name))
      problems.push(
        `HTTPRoute ${name}: a public route other than Shopify's deliveries needs a rate-limit policy`,
      );
  }
  for (const [path, service] of Object.entries(allowed))
    if (routed.get(path) !== service) problems.push(`HTTPRoute: ${path} must route to ${service}`);
  return problems;
}

/**
 * Routes of an internal Gateway (labelled `shopwire.io/exposure: internal`): attached to it alone,
 * over HTTPS with a certificate (plain HTTP only redirecting), and only the internal backends (the
 * console) behind them — never an internal API, not even on the private load balancer.
 */
function checkInternalGatewayRoutes(objects: K8sObject[], internal: Set<string>): string[] {
  const problems: string[] = [];
  const listeners = new Map<string, Listener>();
  for (const gateway of ofKind(objects, 'Gateway').filter((g) => internal.has(g.metadata.name)))
    for (const listener of (gateway.spec as { listeners?: Listener[] }).listeners ?? []) {
      listeners.set(`${gateway.metadata.name}/${listener.name}`, listener);
      if (listener.protocol === 'HTTPS' && !listener.tls?.certificateRefs?.length)
        problems.push(
          `Gateway ${gateway.metadata.name}: listener ${listener.name} lacks a certificate`,
        );
    }
  for (const route of ofKind(objects, 'HTTPRoute')) {
    const spec = route.spec as RouteSpec;
    const refs = spec.parentRefs ?? [];
    if (!refs.some((ref) => internal.has(ref.name))) continue;
    const name = route.metadata.name;
    if (refs.some((ref) => !internal.has(ref.name)))
      problems.push(`HTTPRoute ${name}: attaches to an internal and a public Gateway`);
    const plainHttp = refs.some(
      (ref) => listeners.get(`${ref.name}/${ref.sectionName ?? ''}`)?.protocol !== 'HTTPS',
    );
    for (const rule of spec.rules ?? []) {
      if (!rule.backendRefs?.length) continue;
      if (plainHttp)
        problems.push(`HTTPRoute ${name}: an internal route is served over HTTPS only`);
      for (const backend of rule.backendRefs)
        if (!INTERNAL_BACKENDS.includes(backend.name))
          problems.push(`HTTPRoute ${name}: ${backend.name} is not an internal backend`);
    }
  }
  return problems;
}
