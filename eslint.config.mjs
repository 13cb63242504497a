// Flat ESLint config. Module boundaries are enforced from the tags in each project.json (see
// the constraints below); tools/boundaries proves each rule by linting files that break it.
// The async rules catch the bugs that lose messages: an un-awaited send or commit.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/*
 * Tags (every project.json has a `type:` tag; `scope:` tags narrow it):
 *   type:app           a service. Imports libraries only: never another app, never @shopwire/testing.
 *   type:lib           a library. Imports libraries only.
 *   scope:contracts    the event and topic contracts: import nothing of ours.
 *   scope:generic      config, http, observability, resilience: infrastructure that knows nothing of
 *                      Shopify or of Shopwire's domain (no signing, no verification, no shop rules, no
 *                      contracts). They import only each other, so whatever may import them gets
 *                      nothing else with them, not even transitively.
 *   scope:simulator    apps/shopify-sim. It exists to check the gateway, the shops service and the
 *                      Shopify clients, so it may use generic infrastructure only. Had it signed
 *                      webhooks with @shopwire/shopify, checked shops with the gateway's code or built
 *                      its messages from @shopwire/contracts, a bug shared with the code under test
 *                      would pass every test. Its HMAC, JWT and shop-domain code are its own.
 *   type:test-support  @shopwire/testing: harnesses for real-infrastructure tests. Only test files,
 *                      e2e suites and benchmarks import it — nothing that ships.
 *   type:e2e           apps/pipeline-e2e: tests only.
 *   type:benchmark     benchmarks/: libraries and test support.
 *   type:script        scripts/*.ts: operator commands; they ship in the jobs image (Dockerfile), so
 *                      libraries only, no test support.
 *   type:tooling       tools/*: workspace checks; libraries only.
 * A file matches every constraint of every tag of its project; a dependency must satisfy them all.
 */
const shippedCodeConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:generic', onlyDependOnLibsWithTags: ['scope:generic'] },
  { sourceTag: 'scope:simulator', onlyDependOnLibsWithTags: ['scope:generic'] },
  { sourceTag: 'type:test-support', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:test-support'] },
  { sourceTag: 'type:benchmark', onlyDependOnLibsWithTags: ['type:lib', 'type:test-support'] },
  { sourceTag: 'type:script', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib'] },
];

// Test files may add @shopwire/testing. Everything else stays: the simulator's tests check what it
// sends with their own code from Shopify's documentation, not with the libs it is there to check.
const testFileConstraints = shippedCodeConstraints.map((constraint) =>
  constraint.sourceTag === 'scope:contracts'
    ? constraint
    : {
        ...constraint,
        onlyDependOnLibsWithTags: [
          ...new Set([...constraint.onlyDependOnLibsWithTags, 'type:test-support']),
        ],
      },
);

const TEST_FILES = ['**/*.spec.ts', '**/*-spec.ts', '**/test/**/*.ts'];

const moduleBoundaries = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'tmp/**',
      '.cache/**',
      '.nx/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': moduleBoundaries(shippedCodeConstraints),
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': moduleBoundaries(testFileConstraints),
    },
  },
);
