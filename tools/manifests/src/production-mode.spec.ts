import { containerEnvironment, provisionJobEnv } from './app-config';
import {
  productionConfigProblems,
  productionConfigProblemsOf,
  secretVariables,
} from './production-config';
import { OVERLAYS, renderKustomization, type K8sObject } from './render';
import { exampleSecretValues } from './secrets-example';

// SHOPWIRE_ENV=production makes every process refuse development values (docs/security.md,
// "Production guards"). The prod overlays set it, and what they decide themselves must pass.
const PROD = OVERLAYS.filter((overlay) => overlay.startsWith('k8s/overlays/prod'));
const rendered = new Map<string, K8sObject[]>();
const render = (overlay: string) => {
  if (!rendered.has(overlay)) rendered.set(overlay, renderKustomization(overlay));
  return rendered.get(overlay)!;
};

describe.each(PROD)('%s in production mode', (overlay) => {
  it('runs every Deployment and the provision Job with SHOPWIRE_ENV=production', () => {
    const objects = render(overlay);
    const values = exampleSecretValues();
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
      const env = containerEnvironment(deployment, objects, values);
      expect([deployment.metadata.name, env.SHOPWIRE_ENV]).toEqual([
        deployment.metadata.name,
        'production',
      ]);
    }
    expect(provisionJobEnv(objects).SHOPWIRE_ENV).toBe('production');
  });

  it("passes every app's production guard with what the manifests set (secrets are external)", () => {
    const objects = render(overlay);
    const values = exampleSecretValues();
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    const problems = productionConfigProblemsOf(
      deployments.map((deployment) => ({
        app: deployment.metadata.name,
        env: containerEnvironment(deployment, objects, values),
        fromSecrets: secretVariables(deployment),
      })),
    );
    deployments.forEach((deployment, index) =>
      expect([deployment.metadata.name, problems[index]]).toEqual([deployment.metadata.name, []]),
    );
  }, 60_000);
});

it('development keeps SHOPWIRE_ENV=development', () => {
  const objects = render('k8s/overlays/dev');
  const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway')!;
  expect(containerEnvironment(gateway, objects, new Map()).SHOPWIRE_ENV).toBe('development');
  expect(provisionJobEnv(objects).SHOPWIRE_ENV).toBe('development');
});

it('the check finds a development value the manifests would ship', () => {
  const objects = render('k8s/overlays/prod');
  const sync = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sync')!;
  const env = containerEnvironment(sync, objects, exampleSecretValues());
  const problems = productionConfigProblems(
    'sync',
    { ...env, ERP_URL: 'http://127.0.0.1:3100/sim/erp/orders', SHOPIFY_ACCESS_TOKEN: 'x' },
    secretVariables(sync),
  );
  expect(problems.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual([
    'ERP_URL',
    'SHOPIFY_ACCESS_TOKEN',
  ]);
  // Plain API tokens from a Secret are refused whatever the Secret holds (the prod overlays take
  // API_CREDENTIALS instead).
  const dev = render('k8s/overlays/dev');
  const devOrder = dev.find((o) => o.kind === 'Deployment' && o.metadata.name === 'order')!;
  expect(
    productionConfigProblems(
      'order',
      containerEnvironment(devOrder, dev, exampleSecretValues()),
      secretVariables(devOrder),
    ).map((p) => p.slice(0, p.indexOf(':'))),
  ).toContain('API_TOKENS');
  // Without its Secret reference, the tombstone key would be the development default.
  const order = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'order')!;
  const orderEnv = containerEnvironment(order, objects, exampleSecretValues());
  delete orderEnv.PRIVACY_TOMBSTONE_KEYS;
  const withoutRef = new Set(
    [...secretVariables(order)].filter((n) => n !== 'PRIVACY_TOMBSTONE_KEYS'),
  );
  expect(productionConfigProblems('order', orderEnv, withoutRef)).toEqual([
    expect.stringMatching(/^PRIVACY_TOMBSTONE_KEYS: /),
  ]);
});
