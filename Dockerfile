# One Dockerfile for every Shopwire app; pick the app with a build argument:
#   docker build --build-arg APP=gateway -t shopwire/gateway:dev .
# `npm run build` compiles the whole workspace into dist/ (mirroring the source tree, with
# @shopwire/* imports already rewritten), so each app starts from dist/apps/<app>/src/main.js
# and one-off scripts such as dist/scripts/provision.js ship in every image.

ARG NODE_IMAGE=node:20-slim

# ---- build: all dependencies, compile TypeScript ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true
# Manifests first, so the dependency layer is reused until they change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies and compiled output only ----
FROM ${NODE_IMAGE} AS runtime
ARG APP
# Fail the build at once, not at container start, when APP is forgotten.
RUN test -n "${APP}" || (echo "build with --build-arg APP=<app name>, e.g. APP=gateway" >&2; exit 1)
ENV NODE_ENV=production \
    APP=${APP}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Runs every app's compiled migrations (the compose `migrate` job, a Kubernetes Job).
COPY scripts/migrate.mjs ./scripts/migrate.mjs
# The official image's unprivileged user; nothing here needs root at run time.
USER node
# `exec` replaces the shell with node, so SIGTERM from `docker stop` or Kubernetes reaches
# the app itself and its graceful shutdown runs.
CMD exec node "dist/apps/${APP}/src/main.js"
