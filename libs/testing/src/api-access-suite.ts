import type { INestApplication } from '@nestjs/common';
import { API_SCOPES, type ApiScope } from '@shopwire/config';
import {
  inventoryRoutes,
  registeredRoutes,
  type InventoriedRoute,
  type RouteAccess,
} from '@shopwire/http';
import { createHash, randomBytes } from 'node:crypto';

/**
 * Credentials for attacking a service's API: one with everything, one limited to another shop,
 * and for every scope one that has every shop and every scope but that one.
 */
export interface AttackCredentials {
  /** `API_CREDENTIALS` for the service under test (hashes only). */
  env: string;
  full: string;
  otherShop: string;
  withoutScope(scope: ApiScope): string;
  /** A further credential, e.g. for the victim shop without `customers:read`. */
  token(name: string): string;
}

export function attackCredentials(
  otherShop: string,
  extra: { name: string; shops: '*' | string[]; scopes: ApiScope[] }[] = [],
): AttackCredentials {
  const tokens = new Map<string, string>();
  const entries: { name: string; sha256: string; shops: '*' | string[]; scopes: string[] }[] = [];
  const add = (name: string, shops: '*' | string[], scopes: readonly string[]) => {
    const token = randomBytes(32).toString('hex');
    tokens.set(name, token);
    entries.push({
      name,
      sha256: createHash('sha256').update(token).digest('hex'),
      shops,
      scopes: [...scopes],
    });
  };
  add('full', '*', API_SCOPES);
  add('other-shop', [otherShop], API_SCOPES);
  for (const scope of API_SCOPES) {
    add(
      `lacks-${scope.replace(':', '-')}`,
      '*',
      API_SCOPES.filter((s) => s !== scope),
    );
  }
  for (const credential of extra) add(credential.name, credential.shops, credential.scopes);
  const token = (name: string) => {
    const found = tokens.get(name);
    if (!found) throw new Error(`no test credential ${name}`);
    return found;
  };
  return {
    env: JSON.stringify(entries),
    full: token('full'),
    otherShop: token('other-shop'),
    withoutScope: (scope) => token(`lacks-${scope.replace(':', '-')}`),
    token,
  };
}

export interface AttackOptions {
  app: INestApplication;
  /** `http://127.0.0.1:<port>`: the app listening for real. */
  baseUrl: string;
  victimShop: string;
  credentials: AttackCredentials;
  /**
   * Routes every caller may reach without a credential, as `METHOD /path` (health, metrics,
   * webhooks, install). Any other public route fails the suite.
   */
  expectedPublic: string[];
  /** Values for path parameters other than `:shop`, by name (the victim's resources). */
  params?: Record<string, string>;
  /** A JSON body per route (`METHOD /path`) for routes that need one to get past validation. */
  bodies?: Record<string, unknown>;
  /**
   * `resource` routes whose shop check is proven by another suite (named here) because this one
   * cannot create the victim's resource; every other `resource` route needs `params`.
   */
  resourceCheckedElsewhere?: Record<string, string>;
}

export interface AttackReport {
  routes: InventoriedRoute[];
  failures: string[];
}

const DEFAULT_PARAMS: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000000',
  orderId: '1',
};

/**
 * Attacks every route the app declares (read from its controllers at runtime, so a new endpoint
 * is attacked without being listed), over HTTP: no token → 401, unknown token → 401, a
 * credential lacking the route's scope → 403, a credential for another shop → 403 (or, for
 * routes spanning shops, an answer that never names the victim's shop), and the full credential
 * gets past the guard. Also fails on a route without an access declaration, an unexpected public
 * route, and a route Fastify serves that no controller declares.
 */
export async function attackRoutes(options: AttackOptions): Promise<AttackReport> {
  const routes = inventoryRoutes(options.app);
  const failures: string[] = [];
  const label = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
  const declared = new Set(routes.map(label));
  for (const route of registeredRoutes(options.app)) {
    // Swagger's UI and documents (/docs, /docs-json, /docs-yaml) are not API routes.
    if (route.path.startsWith('/docs')) continue;
    if (!declared.has(label(route))) {
      failures.push(`${label(route)}: served by Fastify but declared by no controller`);
    }
  }
  const expectedPublic = new Set(options.expectedPublic);
  for (const route of routes) {
    const name = `${label(route)} (${route.handler})`;
    if (route.access === null) {
      failures.push(`${name}: declares neither @Access(...) nor @PublicRoute()`);
      continue;
    }
    if (route.access === 'public') {
      if (!expectedPublic.has(label(route))) failures.push(`${name}: unexpectedly public`);
      continue;
    }
    failures.push(...(await attackRoute(options, route, route.access, name)));
  }
  for (const item of expectedPublic) {
    if (!routes.some((route) => label(route) === item && route.access === 'public')) {
      failures.push(`${item}: expected as a public route, not found`);
    }
  }
  return { routes, failures };
}

async function attackRoute(
  options: AttackOptions,
  route: InventoriedRoute,
  access: RouteAccess,
  name: string,
): Promise<string[]> {
  const failures: string[] = [];
  const { credentials } = options;
  const call = (token: string | null) => send(options, route, access, token);
  const expect = async (what: string, token: string | null, statuses: number[]) => {
    const answer = await call(token);
    if (!statuses.includes(answer.status)) {
      failures.push(`${name}: ${what} → ${answer.status}, expected ${statuses.join(' or ')}`);
    }
    return answer;
  };
  await expect('no token', null, [401]);
  await expect('unknown token', randomBytes(32).toString('hex'), [401]);
  await expect(`without ${access.scope}`, credentials.withoutScope(access.scope), [403]);

  const full = await call(credentials.full);
  if (full.status === 401 || full.status === 403) {
    failures.push(`${name}: the full credential was refused (${full.status})`);
  }
  switch (access.shop.from) {
    case 'query':
    case 'param':
    case 'body':
    case 'any-shop-credential':
      await expect('another shop’s credential', credentials.otherShop, [403]);
      break;
    case 'resource': {
      const key = `${route.method} ${route.path}`;
      if (options.resourceCheckedElsewhere?.[key]) break;
      const missing = paramNames(route.path).filter((p) => p !== 'shop' && !options.params?.[p]);
      if (missing.length > 0) {
        failures.push(`${name}: a resource route needs the victim's ${missing.join(', ')}`);
        break;
      }
      if (full.status === 404) failures.push(`${name}: the victim's resource was not found`);
      await expect('another shop’s credential', credentials.otherShop, [403]);
      break;
    }
    case 'filtered': {
      if (!full.body.includes(options.victimShop)) {
        failures.push(`${name}: the full credential's answer does not show the victim's data`);
      }
      const other = await call(credentials.otherShop);
      if (other.status === 401) failures.push(`${name}: another shop's credential got 401`);
      if (other.body.includes(options.victimShop)) {
        failures.push(`${name}: another shop's credential sees the victim's shop`);
      }
      break;
    }
  }
  return failures;
}

function paramNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);
}

async function send(
  options: AttackOptions,
  route: InventoriedRoute,
  access: RouteAccess,
  token: string | null,
): Promise<{ status: number; body: string }> {
  const path = route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, param: string) =>
    encodeURIComponent(
      param === 'shop'
        ? options.victimShop
        : (options.params?.[param] ?? DEFAULT_PARAMS[param] ?? '1'),
    ),
  );
  const url = new URL(path, options.baseUrl);
  if (access.shop.from === 'query')
    url.searchParams.set(access.shop.name ?? 'shop', options.victimShop);
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (!['GET', 'HEAD', 'DELETE'].includes(route.method)) {
    const sample = structuredClone(options.bodies?.[`${route.method} ${route.path}`] ?? {});
    if (access.shop.from === 'body') setPath(sample, access.shop.path, options.victimShop);
    headers['content-type'] = 'application/json';
    body = JSON.stringify(sample);
  }
  const response = await fetch(url, { method: route.method, headers, body });
  return { status: response.status, body: await response.text() };
}

function setPath(target: unknown, dotted: string, value: string): void {
  const keys = dotted.split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
