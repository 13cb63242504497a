#!/usr/bin/env bash
# npm test — every project's unit and integration tests, against real infrastructure.
# Brings up what the tests need first (idempotent: an already running broker is reused), so this
# one command works on a fresh clone after `npm ci`. Extra arguments go to nx, e.g.
#   npm test -- --projects=gateway
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON="${NX_DAEMON:-false}" KAFKAJS_NO_PARTITIONER_WARNING=1

bash scripts/infra.sh up
npm run -s build
npm run -s provision >/dev/null
npm run -s migrate >/dev/null
# One task at a time: integration suites share the broker, and one of them restarts it.
npx nx run-many -t test test:integration --parallel=1 --outputStyle=stream "$@"
