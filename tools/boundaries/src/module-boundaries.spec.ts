import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The module boundaries of eslint.config.mjs, checked the way CI's lint applies them: each case
 * is one import placed in a file at a path of the workspace, linted with the real config and
 * the real project tags. The forbidden imports must be reported and the allowed ones must not,
 * so a rule that stopped matching (a tag renamed, a constraint dropped, a test-file glob widened)
 * fails here, and so does one that forbids everything.
 */

const ROOT = join(__dirname, '../../..');

/** Placed in a project's shipped sources, its unit specs and its integration tests. */
const SIM_SOURCE = 'apps/shopify-sim/src/webhooks/boundary-fixture.ts';
const SIM_SPEC = 'apps/shopify-sim/src/webhooks/boundary-fixture.spec.ts';
const SIM_TEST = 'apps/shopify-sim/test/boundary-fixture.integration-spec.ts';
const SIM_TEST_SUPPORT = 'apps/shopify-sim/test/support/boundary-fixture.ts';
const GATEWAY_SOURCE = 'apps/gateway/src/webhooks/boundary-fixture.ts';
const GATEWAY_SPEC = 'apps/gateway/src/webhooks/boundary-fixture.spec.ts';
const GATEWAY_TEST = 'apps/gateway/test/boundary-fixture.integration-spec.ts';

type Case = [where: string, imported: string, why: string];

const FORBIDDEN: Case[] = [
  [
    SIM_SOURCE,
    '@shopwire/shopify',
    'the simulator signing with the HMAC code the gateway verifies with',
  ],
  [
    SIM_SOURCE,
    '@shopwire/shopify-admin',
    'the simulator answering with the Admin client it is there to check',
  ],
  [SIM_SOURCE, '@shopwire/contracts', "the simulator building messages from Shopwire's contracts"],
  [
    SIM_SOURCE,
    '@shopwire/shop-credentials',
    'the simulator reading tokens the way the services do',
  ],
  [SIM_SOURCE, '@shopwire/kafka', 'the simulator on the pipeline it feeds'],
  [SIM_SOURCE, '@shopwire/testing', 'test support in shipped code'],
  [
    SIM_SOURCE,
    '../../../../libs/shopify/src/webhook-hmac',
    'the signer reached by a relative path',
  ],
  [SIM_SPEC, '@shopwire/shopify', "the simulator's unit specs verifying with the gateway's code"],
  [
    SIM_TEST,
    '@shopwire/shopify',
    "the simulator's integration tests verifying with the gateway's code",
  ],
  [
    SIM_TEST_SUPPORT,
    '@shopwire/shopify',
    "the simulator's test helpers verifying with the gateway's code",
  ],
  [GATEWAY_SOURCE, '@shopwire/testing', 'test support in a shipped service'],
  [GATEWAY_SOURCE, '../../../order/src/main', 'an app importing another app'],
  ['libs/kafka/src/boundary-fixture.ts', '@shopwire/testing', 'test support in a shipped library'],
  [
    'libs/http/src/boundary-fixture.ts',
    '@shopwire/contracts',
    'generic infrastructure taking on domain code',
  ],
  [
    'libs/observability/src/boundary-fixture.ts',
    '@shopwire/shopify',
    'generic infrastructure taking on Shopify code',
  ],
  [
    'libs/contracts/src/boundary-fixture.ts',
    '@shopwire/config',
    'contracts importing anything of ours',
  ],
  [
    'libs/testing/src/boundary-fixture.ts',
    '../../../apps/gateway/src/main',
    'test support importing an app',
  ],
  [
    'scripts/boundary-fixture.ts',
    '@shopwire/testing',
    'test support in the scripts the jobs image ships',
  ],
  [
    'benchmarks/gateway/boundary-fixture.ts',
    '../../apps/gateway/src/gateway.app',
    'a benchmark importing an app',
  ],
];

const ALLOWED: Case[] = [
  [SIM_SOURCE, '@shopwire/config', 'generic: validated environment'],
  [SIM_SOURCE, '@shopwire/http', 'generic: Nest on Fastify, health, metrics'],
  [SIM_SOURCE, '@shopwire/observability', 'generic: logs, metrics, traces'],
  [SIM_SOURCE, '@shopwire/resilience', 'generic: retry and breaker'],
  [SIM_TEST, '@shopwire/testing', 'starting the simulator process in a test'],
  [GATEWAY_SOURCE, '@shopwire/shopify', 'the gateway verifying webhooks'],
  [GATEWAY_SPEC, '@shopwire/testing', 'test support in a unit spec'],
  [GATEWAY_TEST, '@shopwire/testing', 'test support in an integration test'],
  [
    'libs/kafka/src/boundary-fixture.spec.ts',
    '@shopwire/testing',
    "test support in a library's spec",
  ],
  [
    'apps/pipeline-e2e/test/boundary-fixture.ts',
    '@shopwire/testing',
    'test support in the e2e suites',
  ],
  ['benchmarks/gateway/boundary-fixture.ts', '@shopwire/testing', 'test support in a benchmark'],
  ['scripts/boundary-fixture.ts', '@shopwire/kafka', 'a library in an operator script'],
];

interface Linted {
  filePath: string;
  boundaryErrors: string[];
  fatal: string[];
}

const fixture = ([filePath, imported]: Case) => ({
  filePath,
  code: `import * as imported from '${imported}';\n\nexport const used = imported;\n`,
});

function lintAll(cases: Case[]): Linted[] {
  const run = spawnSync(process.execPath, [join(__dirname, 'lint-imports.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(cases.map(fixture)),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`lint-imports.mjs failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Linted[];
}

describe('module boundaries (eslint.config.mjs and the project tags)', () => {
  let forbidden: Linted[];
  let allowed: Linted[];

  beforeAll(() => {
    const results = lintAll([...FORBIDDEN, ...ALLOWED]);
    forbidden = results.slice(0, FORBIDDEN.length);
    allowed = results.slice(FORBIDDEN.length);
  });

  it.each(FORBIDDEN.map((c, i) => [...c, i] as const))(
    'refuses %s importing %s (%s)',
    (_where, _imported, _why, i) => {
      expect(forbidden[i].fatal).toEqual([]);
      expect(forbidden[i].boundaryErrors).not.toEqual([]);
    },
  );

  it.each(ALLOWED.map((c, i) => [...c, i] as const))(
    'lets %s import %s (%s)',
    (_where, _imported, _why, i) => {
      expect(allowed[i].fatal).toEqual([]);
      expect(allowed[i].boundaryErrors).toEqual([]);
    },
  );
});

describe('project tags', () => {
  const projects = projectFiles().map((file) => {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { name: string; tags?: string[] };
    return { name: json.name, root: relative(ROOT, join(file, '..')), tags: json.tags ?? [] };
  });

  it('gives every project exactly one type: tag', () => {
    const untyped = projects
      .filter((p) => p.tags.filter((t) => t.startsWith('type:')).length !== 1)
      .map((p) => `${p.root} ${JSON.stringify(p.tags)}`);
    expect(untyped).toEqual([]);
  });

  // Widening what the simulator may import is a decision: make it here and say why beside the
  // scope:generic tag in eslint.config.mjs.
  it('lets the simulator use exactly config, http, observability and resilience', () => {
    const generic = projects.filter((p) => p.tags.includes('scope:generic')).map((p) => p.root);
    expect(generic.sort()).toEqual([
      'libs/config',
      'libs/http',
      'libs/observability',
      'libs/resilience',
    ]);
    expect(projects.find((p) => p.root === 'apps/shopify-sim')?.tags).toContain('scope:simulator');
  });

  it('tags @shopwire/testing as test support only', () => {
    expect(projects.find((p) => p.root === 'libs/testing')?.tags).toEqual(['type:test-support']);
  });
});

/** Every project.json of the workspace (the folders Nx finds projects in). */
function projectFiles(): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'dist', 'tmp', '.nx', '.cache', '.git'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name === 'project.json') found.push(path);
    }
  };
  for (const top of ['apps', 'libs', 'tools', 'benchmarks', 'scripts']) {
    if (existsSync(join(ROOT, top))) visit(join(ROOT, top));
  }
  return found;
}
