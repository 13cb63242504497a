import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { appConfigProblems } from './app-config';
import { REPO_ROOT } from './render';

interface ComposeService {
  build?: { target?: string; args?: Record<string, string> };
  environment?: Record<string, string | number | boolean>;
}

/** `${VAR:-default}` as compose resolves it with nothing set in the shell or an .env file. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}/g,
    (_match, _name, fallback?: string) => fallback ?? '',
  );
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, ComposeService>;
};
const apps = Object.entries(compose.services).filter(
  ([, s]) => s.build?.args?.APP && s.build.target !== 'jobs',
);

describe('docker-compose.yml app environments', () => {
  it('builds every app', () => {
    expect(apps.map(([, s]) => s.build!.args!.APP).sort()).toEqual(
      [
        'analytics',
        'console',
        'gateway',
        'inventory',
        'notification',
        'order',
        'shopify-sim',
        'shops',
        'sync',
      ].sort(),
    );
  });

  it.each(apps.map(([name, service]) => [name, service] as const))(
    '%s gets a configuration its own schema accepts',
    (_name, service) => {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          interpolate(String(value)),
        ]),
      );
      expect(appConfigProblems(service.build!.args!.APP!, env)).toEqual([]);
    },
  );
});
