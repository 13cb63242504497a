import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { containerEnvironment } from './app-config';
import { OVERLAYS, REPO_ROOT, renderKustomization, type K8sObject } from './render';
import { exampleSecretValues } from './secrets-example';

// Shopify credentials live in the shops service only (ADR 0006): sync must ask it, with a token it
// accepts, and hold no Shopify token itself; the gateway must read the Redis set in which the
// shops service lists uninstalled shops. Checked where each deployment's environment is written.

const DEFAULT_UNINSTALLED_KEY = 'shopwire:shops:uninstalled';

/** The tokens of an `API_TOKENS` value (`name:token,…`). */
const apiTokens = (value = ''): string[] =>
  value
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => pair.slice(pair.indexOf(':') + 1));

/**
 * Whether the shops service's credentials take `token` for its token API: a plain `API_TOKENS`
 * entry (development), or an `API_CREDENTIALS` entry with the token's SHA-256 and `shops:tokens`
 * (production, where plain tokens are refused).
 */
function acceptsForTokens(shops: Record<string, string>, token: string): boolean {
  if (apiTokens(shops.API_TOKENS).includes(token)) return true;
  const digest = createHash('sha256').update(token).digest('hex');
  const credentials = JSON.parse(shops.API_CREDENTIALS ?? '[]') as {
    sha256: string;
    scopes: string[] | '*';
  }[];
  return credentials.some(
    (c) =>
      c.sha256.toLowerCase() === digest && (c.scopes === '*' || c.scopes.includes('shops:tokens')),
  );
}

interface Wiring {
  sync: Record<string, string>;
  shops: Record<string, string>;
  gateway: Record<string, string>;
  /** host:port pairs the shops service answers on inside the deployment. */
  shopsAddresses: string[];
}

function expectShopCredentialsWired({ sync, shops, gateway, shopsAddresses }: Wiring): void {
  expect(sync.SHOPS_URL).toBeDefined();
  const url = new URL(sync.SHOPS_URL!);
  expect(shopsAddresses).toContain(`${url.hostname}:${url.port}`);
  expect(acceptsForTokens(shops, sync.SHOPS_API_TOKEN!)).toBe(true);
  expect(Object.keys(sync).filter((key) => key.startsWith('SHOPIFY_ACCESS_TOKEN'))).toEqual([]);

  expect(gateway.REDIS_URL).toBeDefined();
  expect(gateway.REDIS_URL).toBe(shops.REDIS_URL);
  expect(gateway.UNINSTALLED_SHOPS_KEY ?? DEFAULT_UNINSTALLED_KEY).toBe(
    shops.SHOPS_UNINSTALLED_SET_KEY ?? DEFAULT_UNINSTALLED_KEY,
  );
}

describe.each(OVERLAYS)('%s: Shopify tokens only in the shops service', (overlay) => {
  it('sync asks the shops Service with one of its API tokens; the gateway reads its Redis', () => {
    const objects = renderKustomization(overlay);
    const values = exampleSecretValues();
    const envOf = (app: string) => {
      const deployment = objects.find(
        (o) => o.kind === 'Deployment' && o.metadata.name === app,
      ) as K8sObject;
      return containerEnvironment(deployment, objects, values);
    };
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'shops')!;
    const ports = (service.spec as { ports: { port: number }[] }).ports;
    expectShopCredentialsWired({
      sync: envOf('sync'),
      shops: envOf('shops'),
      gateway: envOf('gateway'),
      shopsAddresses: ports.map((p) => `shops:${p.port}`),
    });
  });
});

describe('docker-compose.yml: Shopify tokens only in the shops service', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      { environment?: Record<string, string | number>; command?: string[]; depends_on?: object }
    >;
  };
  // `${VAR:-default}` as compose resolves it with nothing set.
  const envOf = (name: string): Record<string, string> =>
    Object.fromEntries(
      Object.entries(compose.services[name]?.environment ?? {}).map(([key, value]) => [
        key,
        String(value).replace(/\$\{[A-Za-z_]\w*:?-([^}]*)\}/g, '$1'),
      ]),
    );

  it('sync asks the shops container with one of its API tokens; the gateway reads its Redis', () => {
    const shops = envOf('shops');
    expectShopCredentialsWired({
      sync: envOf('sync'),
      shops,
      gateway: envOf('gateway'),
      shopsAddresses: [`shops:${shops.PORT}`],
    });
  });

  it("installs the demo shop through the shops service's install link once it is healthy", () => {
    const installer = compose.services['install-demo-shop']!;
    const shops = envOf('shops');
    expect(installer.command).toContain(
      `${shops.SHOPWIRE_PUBLIC_URL}/auth/install?shop=shopwire-demo.myshopify.com`,
    );
    // The callback's state check needs the cookie of the first step: curl must keep a jar.
    expect(installer.command).toEqual(expect.arrayContaining(['-L', '-c', '-b']));
    expect(installer.depends_on).toMatchObject({
      shops: { condition: 'service_healthy' },
      'shopify-sim': { condition: 'service_healthy' },
    });
    // The simulator must know the app the shops service installs with, and sign that app's
    // webhooks with its client secret, as Shopify does; the gateway verifies with it.
    expect(envOf('shopify-sim')).toMatchObject({
      SIM_APP_CLIENT_ID: shops.SHOPIFY_API_KEY,
      SIM_APP_CLIENT_SECRET: shops.SHOPIFY_API_SECRET,
      SHOPIFY_WEBHOOK_SECRET: shops.SHOPIFY_API_SECRET,
    });
    expect(envOf('gateway').SHOPIFY_WEBHOOK_SECRETS!.split(',')).toContain(
      shops.SHOPIFY_API_SECRET,
    );
  });
});
