// Docker HEALTHCHECK for the app images: healthy when the app's /health/ready answers 2xx within
// the time below. Kubernetes ignores HEALTHCHECK and probes the same endpoints itself (k8s/base).
// PORT is set in compose and Kubernetes; without it the app listens on its default port, so the
// defaults are repeated here (tools/manifests checks they match the manifests' container ports).
'use strict';

const DEFAULT_PORTS = {
  gateway: 3000,
  order: 3001,
  inventory: 3002,
  notification: 3003,
  analytics: 3004,
  sync: 3005,
  shops: 3006,
  console: 3007,
  'shopify-sim': 3100,
};

const port = process.env.PORT || DEFAULT_PORTS[process.env.APP];
if (!port) {
  process.stderr.write(`healthcheck: no PORT and no default port for APP=${process.env.APP}\n`);
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
