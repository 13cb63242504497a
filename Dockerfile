# syntax=docker/dockerfile:1
# One Dockerfile for every Shopwire image (docs/deploy.md):
#   docker build --build-arg APP=gateway -t shopwire/gateway:dev .      an app (the last stage)
#   docker build --target jobs -t shopwire/jobs:dev .                   migrations, topics, ops CLI
# `npm run build` compiles the whole workspace into dist/ (mirroring the source tree, with
# @shopwire/* imports already rewritten to relative paths), so an app starts from
# dist/apps/<app>/src/main.js and needs only dist/libs besides its own folder.
#
# At run time the images hold production dependencies and compiled JavaScript only, run as an
# unprivileged numeric user (Kubernetes can verify runAsNonRoot against a number, not a name),
# and write nothing outside /tmp, so they run with a read-only root filesystem (mount an
# emptyDir on /tmp; k8s/base does).

# Node 24 LTS, the line package.json's engines ask for (tools/manifests/src/dockerfile.spec.ts
# checks that the two agree).
ARG NODE_IMAGE=node:24-slim

# ---- prod-deps: production dependencies only, in a stage of their own ----
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- build: every dependency (compilers included), then compile ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true
# Manifests first, so the dependency layer is reused until they change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime-base: what every runtime image shares ----
FROM ${NODE_IMAGE} AS runtime-base
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Owned by root and not writable by the app user: the code cannot be changed at run time even
# where the root filesystem is writable (docker run without --read-only).
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/libs ./dist/libs
# Node's own fetch asks /health/ready; node:24-slim has no curl (deploy/docker/healthcheck.js).
COPY deploy/docker/healthcheck.js ./healthcheck.js
# The apps install a SIGTERM handler (Nest shutdown hooks) and drain: stop consuming, finish
# and commit in-flight work, close. Node runs as PID 1 (exec-form CMD, no shell in between), so
# the signal reaches it; it spawns no children, so there are no zombies to reap (compose adds
# tini anyway with `init: true`).
STOPSIGNAL SIGTERM

# ---- jobs: one-shot work run before the apps roll (compose one-shots, Kubernetes Jobs) ----
#   node scripts/migrate.mjs       every service's migrations, one schema each (the default)
#   node dist/scripts/provision.js Kafka topics
#   node dist/scripts/ops.js       the dead-letter ops CLI (`dlq list|show|replay`)
FROM runtime-base AS jobs
# migrate.mjs runs each app's compiled src/database/migrate.js, so the jobs image holds them all.
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/scripts ./dist/scripts
COPY scripts/migrate.mjs ./scripts/migrate.mjs
USER 1000:1000
CMD ["node", "scripts/migrate.mjs"]

# ---- app: one service (the default target, so `--build-arg APP=…` alone builds it) ----
FROM runtime-base AS app
ARG APP
# Fail the build at once, not at container start, when APP is forgotten or misspelt.
RUN test -n "${APP}" || (echo "build with --build-arg APP=<app name>, e.g. APP=gateway" >&2; exit 1)
COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}
# A fixed entry point lets CMD be exec form (no shell as PID 1) whatever the app; Node resolves
# the link, so stack traces and source maps show the real path.
RUN ln -s "dist/apps/${APP}/src/main.js" /app/main.js
ENV APP=${APP}
USER 1000:1000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/healthcheck.js"]
CMD ["node", "/app/main.js"]
