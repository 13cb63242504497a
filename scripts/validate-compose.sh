#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine, so CI can run it anywhere.
#
#   scripts/validate-compose.sh [path/to/docker-compose.yml]
#
# Two layers, each run when its tool is present:
#   1. Compose itself: `docker compose config -q` (v2 plugin) or `docker-compose config -q`
#      (Debian's docker-compose 1.29 package). Parses, interpolates and checks the file
#      against the Compose schema; no engine is needed for that.
#   2. Shopwire's own rules, in Python with PyYAML (which Debian's docker-compose package
#      also brings): every service has an image or a build, depends_on names real services
#      with valid conditions, service_healthy targets have a healthcheck, the infrastructure
#      has healthchecks, Kafka is scripts/infra.sh's version in KRaft mode without topic auto-creation, each
#      APP build argument names an app in apps/, and secret-looking defaults are dev-only.
#      Also: each build target is a stage of the Dockerfile (the `jobs` target needs no APP);
#      every app container runs read-only with only /tmp writable, without capabilities, and
#      has a healthcheck; whoever uses provision/migrate waits for their successful completion;
#      services in a profile (observability) are never depended on by services outside it;
#      every bind-mounted file exists; Prometheus scrapes only services that exist and loads
#      rule files that exist.
#   3. With promtool: the observability profile's Prometheus config, alert rules and rule tests.
# Nothing is installed unless VALIDATE_COMPOSE_INSTALL=1 (then, as root with apt-get, Debian's
# docker-compose package, and its prometheus package for promtool). Exit 0 only when every
# layer that ran passed and at least one ran.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILE="${1:-$ROOT/docker-compose.yml}"
[[ -f "$FILE" ]] || { echo "validate-compose: no such file: $FILE" >&2; exit 1; }

ran=()

compose_cli() {
  if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose"
  else
    return 1
  fi
}

if ! compose_cli >/dev/null && [[ "${VALIDATE_COMPOSE_INSTALL:-0}" == "1" && "$(id -u)" == "0" ]] \
  && command -v apt-get >/dev/null 2>&1; then
  echo "validate-compose: installing Debian's docker-compose (VALIDATE_COMPOSE_INSTALL=1)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# promtool comes with Debian's prometheus package (about 20 MB); the daemon is not started in a
# container without an init system.
if ! command -v promtool >/dev/null 2>&1 && [[ "${VALIDATE_COMPOSE_INSTALL:-0}" == "1" && "$(id -u)" == "0" ]] \
  && command -v apt-get >/dev/null 2>&1; then
  echo "validate-compose: installing Debian's prometheus package for promtool (VALIDATE_COMPOSE_INSTALL=1)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# Layer 1: the Compose implementation's own parser and schema.
if compose="$(compose_cli)"; then
  # Run from the file's folder so relative build contexts resolve as they would for a user;
  # ${VAR:-default} defaults make every variable resolvable without an .env file.
  (cd "$(dirname "$FILE")" && $compose -f "$(basename "$FILE")" config -q)
  echo "validate-compose: '$compose config -q' passed ($($compose version --short 2>/dev/null || $compose version | head -1))"
  ran+=("$compose")
else
  echo "validate-compose: no docker compose / docker-compose here; skipping the schema check"
fi

# Layer 2: project rules. Any python3 that can import yaml will do.
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' 2>/dev/null; then
    python="$candidate"
    break
  fi
done

if [[ -n "$python" ]]; then
  "$python" - "$FILE" "$ROOT" <<'PY'
import os
import re
import sys

import yaml

path, root = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as handle:
    doc = yaml.safe_load(handle)  # also expands YAML anchors and merge keys

problems = []

def interpolate(value):
    """Resolve ${VAR:-default} / ${VAR-default} / ${VAR} the way compose would with no .env."""
    if not isinstance(value, str):
        return value
    def sub(match):
        name, default = match.group(1), match.group(3)
        return os.environ.get(name, default if default is not None else "")
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?\}", sub, value)

def env_map(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: interpolate(str(value)) for key, value in env.items()}

# Stages of the Dockerfile next to the compose file, for build targets.
stages = set()
dockerfile = os.path.join(os.path.dirname(os.path.abspath(path)), "Dockerfile")
if os.path.exists(dockerfile):
    with open(dockerfile, encoding="utf-8") as handle:
        stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", handle.read(), re.MULTILINE | re.IGNORECASE))

services = doc.get("services") if isinstance(doc, dict) else None
if not isinstance(services, dict) or not services:
    print("validate-compose: no services defined", file=sys.stderr)
    sys.exit(1)

CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
INFRA = ("kafka", "postgres", "redis")
SECRET_KEY = re.compile(r"(PASSWORD|SECRET|TOKEN)", re.IGNORECASE)

for name in INFRA:
    if name not in services:
        problems.append(f"infrastructure service '{name}' is missing")

graph = {}
for name, service in services.items():
    service = service or {}
    if "image" not in service and "build" not in service:
        problems.append(f"{name}: needs an image or a build")

    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        deps = {dep: {"condition": "service_started"} for dep in deps}
    graph[name] = list(deps)
    for dep, spec in deps.items():
        if dep not in services:
            problems.append(f"{name}: depends_on unknown service '{dep}'")
            continue
        condition = (spec or {}).get("condition", "service_started")
        if condition not in CONDITIONS:
            problems.append(f"{name}: depends_on {dep} has unknown condition '{condition}'")
        if condition == "service_healthy" and not (services[dep] or {}).get("healthcheck"):
            problems.append(f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck")

    if name in INFRA:
        test = ((service.get("healthcheck") or {}).get("test"))
        if not test:
            problems.append(f"{name}: infrastructure needs a healthcheck with a test")

    build = service.get("build")
    if isinstance(build, dict):
        target = build.get("target", "app")
        if target not in stages:
            problems.append(f"{name}: build target '{target}' is not a stage of the Dockerfile")
        app = interpolate((build.get("args") or {}).get("APP", ""))
        if target == "jobs":
            if app:
                problems.append(f"{name}: the jobs target takes no APP (it holds every app's migrations)")
        elif not app:
            problems.append(f"{name}: build needs args.APP")
        elif not os.path.isdir(os.path.join(root, "apps", app)):
            problems.append(f"{name}: APP={app} but apps/{app} does not exist")
        elif target == "app":
            # An app container must run as in Kubernetes: read-only, no capabilities, checked.
            if service.get("read_only") is not True:
                problems.append(f"{name}: app containers need read_only: true")
            if "/tmp" not in [str(t).split(":")[0] for t in (service.get("tmpfs") or [])]:
                problems.append(f"{name}: app containers need a tmpfs on /tmp (the only writable path)")
            if "ALL" not in (service.get("cap_drop") or []):
                problems.append(f"{name}: app containers need cap_drop: [ALL]")
            if not (service.get("healthcheck") or {}).get("test"):
                problems.append(f"{name}: app containers need a healthcheck")

    for dep, spec in deps.items():
        dep_service = services.get(dep) or {}
        if str(dep_service.get("restart", "")) == "no":
            condition = (spec or {}).get("condition", "service_started")
            if condition != "service_completed_successfully":
                problems.append(f"{name}: must wait for one-shot {dep} with service_completed_successfully")
        if dep_service.get("profiles") and not set(dep_service["profiles"]) <= set(service.get("profiles") or []):
            problems.append(f"{name}: depends on {dep}, which only runs with profile(s) {dep_service['profiles']}")

    for volume in service.get("volumes") or []:
        source = str(volume).split(":")[0] if not isinstance(volume, dict) else str(volume.get("source", ""))
        if source.startswith("./") or source.startswith("../"):
            if not os.path.exists(os.path.join(os.path.dirname(os.path.abspath(path)), source)):
                problems.append(f"{name}: bind mount source {source} does not exist")

    for key, value in env_map(service).items():
        if SECRET_KEY.search(key) and value and "dev-only-" not in value:
            problems.append(f"{name}: {key} defaults to a value that is not an obvious dev-only placeholder")
    for key, value in env_map(service).items():
        if key == "DATABASE_URL" and "@" in value:
            password = re.sub(r"^[a-z]+://[^:/@]+:?([^@]*)@.*$", r"\1", value)
            if password and "dev-only-" not in password:
                problems.append(f"{name}: DATABASE_URL holds a password that is not dev-only")

kafka = services.get("kafka") or {}
if kafka:
    image = str(kafka.get("image", ""))
    # The same release scripts/infra.sh runs without Docker (its KAFKA_VERSION default).
    with open(os.path.join(root, "scripts/infra.sh"), encoding="utf-8") as handle:
        found = re.search(r'^KAFKA_VERSION="\$\{KAFKA_VERSION:-([0-9.]+)\}"', handle.read(), re.M)
    local = found.group(1) if found else "?"
    if image != f"apache/kafka:{local}":
        problems.append(f"kafka: image should be apache/kafka:{local}, the version scripts/infra.sh runs (see docs/adr/0001), got '{image}'")
    env = env_map(kafka)
    if env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "").lower() != "false":
        problems.append("kafka: KAFKA_AUTO_CREATE_TOPICS_ENABLE must be \"false\"")
    if set(env.get("KAFKA_PROCESS_ROLES", "").split(",")) != {"broker", "controller"}:
        problems.append("kafka: KAFKA_PROCESS_ROLES must be broker,controller (single-node KRaft)")
    if "ZOOKEEPER" in " ".join(env):
        problems.append("kafka: ZooKeeper settings found; this stack runs KRaft only")

# The observability profile: its services exist, and Prometheus' config points at real things.
for required in ("otel-collector", "jaeger", "prometheus", "grafana"):
    svc = services.get(required)
    if not svc:
        problems.append(f"observability: service '{required}' is missing")
    elif "observability" not in (svc.get("profiles") or []):
        problems.append(f"{required}: belongs in the observability profile (opt-in)")
prometheus_config = os.path.join(root, "deploy/observability/prometheus/prometheus.yml")
if os.path.exists(prometheus_config):
    with open(prometheus_config, encoding="utf-8") as handle:
        prom = yaml.safe_load(handle) or {}
    for job in prom.get("scrape_configs") or []:
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host = str(target).rsplit(":", 1)[0]
                if host not in services and host != "localhost":
                    problems.append(f"prometheus: job {job.get('job_name')} scrapes unknown service '{host}'")
    rules_dir = os.path.join(root, "deploy/observability/prometheus/rules")
    if not [f for f in os.listdir(rules_dir) if f.endswith(".yml") and not f.endswith(".test.yml")] if os.path.isdir(rules_dir) else True:
        problems.append("prometheus: no rule files in deploy/observability/prometheus/rules")
else:
    problems.append("prometheus: deploy/observability/prometheus/prometheus.yml is missing")

# depends_on must form no cycle, or compose would never start anything.
state = {}
def visit(node, trail):
    if state.get(node) == "done":
        return
    if state.get(node) == "active":
        problems.append("depends_on cycle: " + " -> ".join(trail + [node]))
        return
    state[node] = "active"
    for dep in graph.get(node, []):
        if dep in services:
            visit(dep, trail + [node])
    state[node] = "done"
for node in graph:
    visit(node, [])

# Two services publishing the same host port could never run together.
published = {}
for name, service in services.items():
    for port in (service or {}).get("ports") or []:
        spec = interpolate(str(port))
        parts = spec.split(":")
        host = ":".join(parts[:-1]) or parts[-1]
        if host in published:
            problems.append(f"{name}: host port {host} already published by {published[host]}")
        published[host] = name

if problems:
    for problem in problems:
        print(f"validate-compose: {problem}", file=sys.stderr)
    sys.exit(1)
print(f"validate-compose: project rules passed ({len(services)} services)")
PY
  ran+=("project rules")
else
  echo "validate-compose: no python3 with PyYAML here; skipping the project-rule check"
fi

# Layer 3: the observability profile's Prometheus config, alert rules and the rules' unit tests,
# when promtool is here (Debian: apt-get install prometheus). The config names the rules by their
# in-container path, so it is checked from a copy that points at the repository's files.
OBS="$ROOT/deploy/observability/prometheus"
if command -v promtool >/dev/null 2>&1 && [[ -f "$OBS/prometheus.yml" ]]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  sed "s#/etc/prometheus/rules/#$OBS/rules/#" "$OBS/prometheus.yml" > "$scratch/prometheus.yml"
  promtool check config "$scratch/prometheus.yml" >/dev/null
  promtool check rules "$OBS"/rules/*.yml >/dev/null
  if compgen -G "$OBS/tests/*.test.yml" >/dev/null; then
    promtool test rules "$OBS"/tests/*.test.yml >/dev/null
  fi
  echo "validate-compose: promtool passed (config, rules, rule tests)"
  ran+=("promtool")
else
  echo "validate-compose: no promtool here; skipping the Prometheus config and rule checks"
fi

if ((${#ran[@]} == 0)); then
  echo "validate-compose: error: nothing could validate $FILE (need docker compose, docker-compose, or python3 with PyYAML)" >&2
  exit 1
fi
echo "validate-compose: OK (${ran[*]})"
