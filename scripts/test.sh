#!/usr/bin/env bash
# npm test — every project's unit and integration tests, against real infrastructure.
# Brings up what the tests need first (idempotent: an already running broker is reused), so this
# one command works on a fresh clone after `npm ci`. Then one Jest run over every project
# (tools/jest/workspace.js), in two phases:
#   1. isolated suites, in parallel (TEST_WORKERS, default 4), each worker on its own database;
#   2. disruptive suites — those that stop or restart the broker or Postgres — one at a time.
# Extra arguments go to Jest in both phases, e.g. a path pattern: `npm test -- apps/order`, or
#   npm test -- --selectProjects order order:integration
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export KAFKAJS_NO_PARTITIONER_WARNING=1
# The suites start a few hundred service processes, each compiling the same dependency code
# (Nest, TypeORM, kafkajs, OpenTelemetry) anew; Node's on-disk compile cache (Node 22.1+, keyed by
# each file's contents) spares ~15 % of a process's start-up CPU after the first.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$(pwd)/.cache/node-compile}"
# Four on two cores: the suites spend much of their time waiting on the broker, timers and
# processes starting (3 workers kept the isolated phase at ~2.95 busy workers with CPU to spare).
workers="${TEST_WORKERS:-4}"

bash scripts/infra.sh up
npm run -s build
npm run -s provision >/dev/null

status=0
npx jest -c tools/jest/isolated.config.js --maxWorkers="${workers}" ${1:+--passWithNoTests} "$@" || status=$?
# After the isolated phase, never beside it: these take the broker or the database away.
npx jest -c tools/jest/disruptive.config.js --runInBand --passWithNoTests "$@" || status=$?
exit "${status}"
