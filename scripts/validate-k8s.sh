#!/usr/bin/env bash
# Validates the Kubernetes manifests offline, so CI needs no cluster:
#
#   scripts/validate-k8s.sh [kustomize dir…]     (default: every overlay in k8s/overlays)
#
#   1. `kubectl kustomize <overlay>` renders each overlay (kubectl's built-in kustomize).
#   2. Every rendered object is validated against the Kubernetes OpenAPI schema from the
#      `kubernetes-models` npm package, Gateway API objects against `@kubernetes-models/gateway-api`
#      (tools/manifests/src/schema-check.mjs); KEDA and Envoy Gateway objects get a structural check.
# Shopwire's own invariants (probes, resources, hardening, HPA/PDB/Service per Deployment, secret
# references only, Ingress backends, default-deny NetworkPolicy…) are the `manifests` project's
# Jest suite: `npx nx run manifests:test`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

command -v kubectl >/dev/null 2>&1 || { echo "validate-k8s: kubectl is required (its kustomize renders the overlays)" >&2; exit 1; }
[[ -d node_modules/kubernetes-models && -d node_modules/@kubernetes-models/gateway-api ]] \
  || { echo "validate-k8s: run npm ci first (kubernetes-models, @kubernetes-models/gateway-api)" >&2; exit 1; }

if (($# > 0)); then
  dirs=("$@")
else
  dirs=()
  for dir in k8s/overlays/*/; do dirs+=("${dir%/}"); done
fi

node tools/manifests/src/schema-check.mjs "${dirs[@]}"
echo "validate-k8s: OK (${#dirs[@]} overlays rendered and schema-checked)"
