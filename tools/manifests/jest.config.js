/**
 * Offline checks of what ships: rendered Kubernetes manifests (schema and invariants), the
 * Dockerfile's structure, docker-compose.yml and the observability files. Needs kubectl (its
 * built-in kustomize) and python3 with PyYAML; no cluster, no Docker engine.
 */
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'manifests',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
