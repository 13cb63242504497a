#!/usr/bin/env bash
# Local infrastructure for Shopwire, without Docker.
#
#   scripts/infra.sh up           check Postgres + Redis, start Kafka (fetching it once), wait until ready
#   scripts/infra.sh down         stop what `up` started (never a broker somebody else runs)
#   scripts/infra.sh status       one line per component; exit 0 only when all are up
#   scripts/infra.sh kafka-stop   stop only the broker, keeping its data (simulates an outage)
#   scripts/infra.sh kafka-start  start only the broker again and wait until it is ready
#   scripts/infra.sh logs         show the broker log (follows it when stdout is a terminal)
#   scripts/infra.sh reset        stop our broker and delete its data (jars are kept)
#   scripts/infra.sh tool CLASS [ARGS...]
#                                 run a Kafka tool from the cached jars, e.g.
#                                 tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#
# Kafka is a real Apache Kafka broker (single node, KRaft, combined broker+controller),
# run with the machine's Java from the jars Maven resolves off Maven Central
# (scripts/kafka/pom.xml). Why Kafka 4.4: docs/adr/0001-kafka-broker-line.md; 3.9.1 still runs
# with KAFKA_VERSION=3.9.1 (the script picks the logging backend of the line: reload4j for 3.x,
# log4j2 for 4.x).
# Postgres and Redis are the machine's own; this script only checks them.
#
# Environment overrides (defaults in brackets):
#   KAFKA_VERSION          Kafka release to run [4.4.0]; 3.x (3.9.1) and 4.x are supported
#   KAFKA_HOST             address the broker binds and advertises [127.0.0.1]
#   KAFKA_PORT             client (PLAINTEXT) port [9092]
#   KAFKA_CONTROLLER_PORT  KRaft controller port [9093]
#   KAFKA_HEAP             JVM heap flags [-Xms256m -Xmx512m]
#   KAFKA_READY_TIMEOUT    seconds to wait for the broker to come up [90]
#   KAFKA_STOP_TIMEOUT     seconds to wait for a clean stop before SIGKILL [30]
#   KAFKA_CACHE_DIR        jars, config, data, logs, pid [<repo>/.cache/kafka]; a second broker
#                          needs its own (and its own ports): pid, lock and data live here
#   KAFKA_LIBS_DIR         where the jars are kept, one folder per Kafka version inside it
#                          [$KAFKA_CACHE_DIR/libs]; a second broker may share the first one's to
#                          skip the Maven fetch, whatever versions the two run
#
# Optional secured listeners (none unless asked for; the PLAINTEXT listener is always there):
#   KAFKA_SASL_SSL_PORT    adds a SASL_SSL listener (SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN)
#   KAFKA_SSL_PORT         adds an SSL listener that requires a client certificate (mTLS)
#   KAFKA_SASL_USERNAME    the SASL user the broker accepts [shopwire]
#   KAFKA_SASL_PASSWORD    its password [dev-only-kafka-password]; never printed
#   KAFKA_TLS_DIR          self-signed CA, broker and client certificates, made at the first
#                          start that needs them [$KAFKA_CACHE_DIR/tls]; clients trust ca.crt,
#                          and mTLS clients present client.crt/client.key
#   DATABASE_URL           Postgres to check [postgres://postgres@127.0.0.1:5432/test]
#   REDIS_URL              Redis to check [redis://127.0.0.1:6379]
#   INFRA_MODE             auto | local | docker [auto]: `auto` uses `docker compose` only when a
#                          Docker engine answers and nothing listens on the Kafka port
#   INFRA_LOCK_TIMEOUT     seconds to wait for another running infra.sh to finish [180]
#   JAVA_HOME, MVN         which java / mvn to use [java and mvn from PATH]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-$ROOT/.cache/kafka}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-}"
KAFKA_SSL_PORT="${KAFKA_SSL_PORT:-}"
KAFKA_SASL_USERNAME="${KAFKA_SASL_USERNAME:-shopwire}"
KAFKA_SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-dev-only-kafka-password}"
KAFKA_TLS_DIR="${KAFKA_TLS_DIR:-$KAFKA_CACHE_DIR/tls}"
DATABASE_URL_GIVEN="${DATABASE_URL:+yes}"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
INFRA_MODE="${INFRA_MODE:-auto}"
INFRA_LOCK_TIMEOUT="${INFRA_LOCK_TIMEOUT:-180}"
MVN="${MVN:-mvn}"

[[ "$KAFKA_VERSION" =~ ^([0-9]+)\.[0-9]+\.[0-9]+$ ]] || { echo "infra: error: KAFKA_VERSION must look like 4.4.0, got '$KAFKA_VERSION'" >&2; exit 1; }
KAFKA_MAJOR="${BASH_REMATCH[1]}"
# One folder per version: fetching another version never deletes the jars a running broker of
# another version was started from (the JVM loads classes from them lazily).
LIBS_DIR="${KAFKA_LIBS_DIR:-$KAFKA_CACHE_DIR/libs}/$KAFKA_VERSION"
DATA_DIR="$KAFKA_CACHE_DIR/data"
LOG_DIR="$KAFKA_CACHE_DIR/logs"
CONFIG_FILE="$KAFKA_CACHE_DIR/server.properties"
PID_FILE="$KAFKA_CACHE_DIR/kafka.pid"
# Size of server.log when the broker was launched: only lines after it say "this start worked".
LOG_OFFSET_FILE="$KAFKA_CACHE_DIR/kafka.log-offset"
CLUSTER_ID_FILE="$KAFKA_CACHE_DIR/cluster.id"
# "user sha256(password)" of the SCRAM credentials the broker's metadata already holds.
SCRAM_MARKER="$KAFKA_CACHE_DIR/scram-user"
# Written only when `up` used docker compose, so `down` knows to undo exactly that.
DOCKER_MARKER="$KAFKA_CACHE_DIR/docker-services"
# Recorded next to the jars once the fetch is complete.
VERSION_STAMP="$LIBS_DIR/.kafka-version"
# The version the running broker was started with (status reports it).
RUNNING_VERSION_FILE="$KAFKA_CACHE_DIR/kafka.version"

if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="java"; fi

log() { printf 'infra: %s\n' "$*"; }

# The JVM flag pointing the line's logging backend at our config: Kafka 3.x logs through reload4j
# (log4j 1.x properties), 4.x through log4j2, which ignores -Dlog4j.configuration entirely.
# $1 names the config in scripts/kafka: log4j (broker: log4j.properties, log4j2.xml) or
# tools-log4j (CLI tools: tools-log4j.properties, tools-log4j2.xml).
log_config_flag() {
  if ((KAFKA_MAJOR >= 4)); then
    printf '%s' "-Dlog4j2.configurationFile=$ROOT/scripts/kafka/${1}2.xml"
  else
    printf '%s' "-Dlog4j.configuration=file:$ROOT/scripts/kafka/$1.properties"
  fi
}

die() { printf 'infra: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
# Small probes
# ---------------------------------------------------------------------------------------

# True when something accepts a TCP connection. Uses bash's /dev/tcp so no netcat is needed;
# `timeout` keeps a filtered port from hanging us.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# Pid of the broker this script started, if it is still alive. The pid file alone is not
# trusted: the pid could have been reused, so the process's command line must be ours.
our_kafka_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"kafka.Kafka $CONFIG_FILE"* ]] || return 1
  echo "$pid"
}

# host:port the running broker of ours listens on, read from the config it was started with
# (the config is rewritten only at start, so it describes the live process).
our_kafka_addr() {
  sed -nE 's#^listeners=PLAINTEXT://([^,]+),.*#\1#p' "$CONFIG_FILE" 2>/dev/null
}

postgres_ready() { pg_isready -q -t 3 -d "$DATABASE_URL" >/dev/null 2>&1; }
redis_ready() { [[ "$(timeout 5 redis-cli -u "$REDIS_URL" ping 2>/dev/null)" == "PONG" ]]; }

# A Docker engine is used only if it really answers (the bare client is not enough) and a
# compose implementation exists. Prints the compose command to use.
compose_cmd() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 || return 1
  if docker compose version >/dev/null 2>&1; then
    echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose"
  else
    return 1
  fi
}

# Serialise concurrent invocations (e.g. two test runners calling `up` at once), which would
# otherwise race on the jar fetch, the storage format and the pid file.
take_lock() {
  mkdir -p "$KAFKA_CACHE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$KAFKA_CACHE_DIR/.lock"
    flock -w "$INFRA_LOCK_TIMEOUT" 9 || die "another scripts/infra.sh is still running (lock $KAFKA_CACHE_DIR/.lock)"
  fi
}

# ---------------------------------------------------------------------------------------
# Postgres and Redis: the machine's own, only checked
# ---------------------------------------------------------------------------------------

check_postgres() {
  if postgres_ready; then
    log "postgres: ready ($(redact "$DATABASE_URL"))"
    return 0
  fi
  cat >&2 <<EOF
infra: error: Postgres does not answer at $(redact "$DATABASE_URL").
  Start it, for example:
    Debian package:  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start
    with Docker:     docker compose up -d postgres
  or point DATABASE_URL at a running server.
EOF
  return 1
}

check_redis() {
  if redis_ready; then
    log "redis: ready ($(redact "$REDIS_URL"))"
    return 0
  fi
  cat >&2 <<EOF
infra: error: Redis does not answer PING at $(redact "$REDIS_URL").
  Start it, for example:
    Debian package:  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    with Docker:     docker compose up -d redis
  or point REDIS_URL at a running server.
EOF
  return 1
}

# Never print a password that may sit in a connection URL.
redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }

# ---------------------------------------------------------------------------------------
# Kafka: fetch, configure, format, start, stop
# ---------------------------------------------------------------------------------------

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found; install a JDK/JRE 17 (Debian: apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME"
  local major
  major="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -nE 's/^ *java\.specification\.version = ([0-9]+).*/\1/p')"
  # Kafka 4.x brokers need Java 17; 3.9 still ran on 11.
  local needed=11
  ((KAFKA_MAJOR < 4)) || needed=17
  [[ -n "$major" && "$major" -ge "$needed" ]] || die "Kafka $KAFKA_VERSION needs Java $needed or newer; '$JAVA' is ${major:-unknown}"
}

# Resolve the broker's runtime jars from Maven Central once. They land in a temporary folder
# first and are renamed into place only when Maven succeeded, so an interrupted download is
# never mistaken for a complete one.
ensure_jars() {
  if [[ -f "$VERSION_STAMP" && "$(cat "$VERSION_STAMP")" == "$KAFKA_VERSION" ]] \
    && compgen -G "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || die "Maven ('$MVN') is needed once to fetch Kafka's jars (Debian: apt-get install -y maven)"
  log "kafka: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (one time) ..."
  local tmp="$LIBS_DIR.tmp"
  rm -rf "$tmp"
  mkdir -p "$LOG_DIR" "$(dirname "$LIBS_DIR")"
  # Maven's own output goes to a file and is shown only when the fetch fails.
  # The POM's default profile brings 3.x's reload4j binding; 4.x needs the log4j2 one instead.
  local profile=()
  ((KAFKA_MAJOR < 4)) || profile=(-Pkafka4-logging)
  if ! "$MVN" -q -B -Dstyle.color=never -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    "${profile[@]}" "-Dkafka.version=$KAFKA_VERSION" "-Dkafka.libs.dir=$tmp" >"$LOG_DIR/fetch.log" 2>&1; then
    tail -n 30 "$LOG_DIR/fetch.log" >&2
    die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (is Maven Central reachable?)"
  fi
  # Fail loudly now rather than with a ClassNotFoundException at broker start.
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"
  local binding="slf4j-reload4j"
  ((KAFKA_MAJOR < 4)) || binding="log4j-slf4j-impl"
  compgen -G "$tmp/$binding-*.jar" >/dev/null || die "no slf4j logging backend ($binding) among the fetched jars"
  echo "$KAFKA_VERSION" >"$tmp/.kafka-version"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  log "kafka: $(jar_count) jars in ${LIBS_DIR#"$ROOT"/}"
}

jar_count() { find "$LIBS_DIR" -maxdepth 1 -name '*.jar' 2>/dev/null | wc -l | tr -d ' '; }

# The config is rewritten on every start so port/host overrides always take effect; the
# data directory does not depend on any of these values.
write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  # PLAINTEXT stays first: our_kafka_addr reads the client address from the front of the line.
  local listeners="PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT"
  local advertised="PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT"
  local protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then
    listeners+=",SASL_SSL://$KAFKA_HOST:$KAFKA_SASL_SSL_PORT"
    advertised+=",SASL_SSL://$KAFKA_HOST:$KAFKA_SASL_SSL_PORT"
    protocols+=",SASL_SSL:SASL_SSL"
  fi
  if [[ -n "$KAFKA_SSL_PORT" ]]; then
    listeners+=",SSL://$KAFKA_HOST:$KAFKA_SSL_PORT"
    advertised+=",SSL://$KAFKA_HOST:$KAFKA_SSL_PORT"
    protocols+=",SSL:SSL"
  fi
  # The PLAIN user list sits in this file when SASL is on: readable by its owner only.
  (umask 077 && : >"$CONFIG_FILE")
  cat >"$CONFIG_FILE" <<EOF
# Generated by scripts/infra.sh on every start; edit the script, not this file.
# One process is both the KRaft controller and the broker.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protocols
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT

log.dirs=$DATA_DIR

# Topics are created on purpose (topic provisioning), never by a typo in a producer.
auto.create.topics.enable=false
num.partitions=6

# A single node: every replication factor is 1 and one in-sync replica is enough, so
# producers using acks=all (-1) are acknowledged once the leader has the write.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer internal partitions than the defaults (50) make the first consumer-group join and
# the first transaction on a fresh broker noticeably faster on a 2-core machine.
offsets.topic.num.partitions=6
transaction.state.log.num.partitions=6

# Tests start consumers and expect them to get partitions at once; the default 3 s delay
# exists to batch joins of many members, which a dev broker does not need.
group.initial.rebalance.delay.ms=0

# A dev broker should not hold on to gigabytes: one day or 1 GiB per partition.
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=104857600
EOF
  secured_listeners_config >>"$CONFIG_FILE"
}

secured_enabled() { [[ -n "$KAFKA_SASL_SSL_PORT" || -n "$KAFKA_SSL_PORT" ]]; }

# TLS for both secured listeners comes from PEM files (Kafka reads PEM key stores itself, so no
# keytool step). Controller and inter-broker traffic stay on PLAINTEXT: this is a single dev
# node, and the secured listeners exist for clients to prove their settings against.
secured_listeners_config() {
  secured_enabled || return 0
  cat <<EOF

# Secured client listeners (KAFKA_SASL_SSL_PORT / KAFKA_SSL_PORT).
ssl.keystore.type=PEM
ssl.keystore.location=$KAFKA_TLS_DIR/broker.keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$KAFKA_TLS_DIR/ca.crt
EOF
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then
    cat <<EOF
listener.name.sasl_ssl.ssl.client.auth=none
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USERNAME="$KAFKA_SASL_PASSWORD";
EOF
  fi
  if [[ -n "$KAFKA_SSL_PORT" ]]; then
    echo "listener.name.ssl.ssl.client.auth=required"
  fi
}

check_sasl_credentials() {
  [[ -n "$KAFKA_SASL_SSL_PORT" ]] || return 0
  [[ "$KAFKA_SASL_USERNAME" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SASL_USERNAME may hold only letters, digits, '.', '_' and '-'"
  # It goes into a JAAS string and a SCRAM argument list: no quotes, commas, brackets or '='.
  [[ "$KAFKA_SASL_PASSWORD" =~ ^[A-Za-z0-9._~@%+:-]{8,}$ ]] \
    || die "KAFKA_SASL_PASSWORD must be at least 8 characters of letters, digits and ._~@%+:-"
}

# A self-signed CA, the broker's certificate (valid for KAFKA_HOST, 127.0.0.1 and localhost) and
# a client certificate for mTLS, made once per KAFKA_TLS_DIR. Keys are readable by the owner only.
ensure_tls() {
  secured_enabled || return 0
  if [[ -s "$KAFKA_TLS_DIR/ca.crt" && -s "$KAFKA_TLS_DIR/broker.keystore.pem" \
    && -s "$KAFKA_TLS_DIR/client.crt" && -s "$KAFKA_TLS_DIR/client.key" ]]; then
    return 0
  fi
  command -v openssl >/dev/null 2>&1 || die "openssl is needed for the secured listeners (Debian: apt-get install -y openssl)"
  log "kafka: making a self-signed CA and certificates in ${KAFKA_TLS_DIR#"$ROOT"/}"
  mkdir -p "$KAFKA_TLS_DIR" "$LOG_DIR"
  local san="DNS:localhost,IP:127.0.0.1"
  if [[ "$KAFKA_HOST" =~ ^[0-9.]+$ ]]; then
    [[ "$KAFKA_HOST" == "127.0.0.1" ]] || san+=",IP:$KAFKA_HOST"
  elif [[ "$KAFKA_HOST" != "localhost" ]]; then
    san+=",DNS:$KAFKA_HOST"
  fi
  (
    set -e
    umask 077
    cd "$KAFKA_TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -keyout ca.key -out ca.crt \
      -subj "/CN=Shopwire dev Kafka CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout broker.key -out broker.csr -subj "/CN=$KAFKA_HOST"
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' "$san" >broker.ext
    openssl x509 -req -sha256 -days 825 -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -extfile broker.ext -out broker.crt
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout client.key -out client.csr -subj "/CN=shopwire-client"
    printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >client.ext
    openssl x509 -req -sha256 -days 825 -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -extfile client.ext -out client.crt
    # Kafka's PEM key store: an unencrypted PKCS#8 key followed by the certificate chain.
    { openssl pkcs8 -topk8 -nocrypt -in broker.key; cat broker.crt ca.crt; } >broker.keystore.pem
    rm -f broker.csr client.csr broker.ext client.ext ca.srl
    chmod 644 ca.crt broker.crt client.crt
  ) >"$LOG_DIR/tls.out" 2>&1 || { cat "$LOG_DIR/tls.out" >&2; die "making the TLS certificates failed"; }
}

scram_fingerprint() {
  printf '%s %s\n' "$KAFKA_SASL_USERNAME" "$(printf '%s' "$KAFKA_SASL_PASSWORD" | sha256sum | cut -d' ' -f1)"
}

# SCRAM credentials live in the cluster metadata. A fresh cluster gets them at format time
# (--add-scram); one formatted earlier, or asked for another password, gets them through the
# PLAINTEXT listener once the broker is up.
ensure_scram_user() {
  [[ -n "$KAFKA_SASL_SSL_PORT" ]] || return 0
  [[ "$(cat "$SCRAM_MARKER" 2>/dev/null)" == "$(scram_fingerprint)" ]] && return 0
  log "kafka: setting SCRAM credentials for user $KAFKA_SASL_USERNAME"
  local mechanism output config_command=kafka.admin.ConfigCommand
  # 4.x moved the tool from the Scala core into kafka-tools.
  ((KAFKA_MAJOR < 4)) || config_command=org.apache.kafka.tools.ConfigCommand
  # One mechanism per request: the broker refuses to alter a user's credentials twice in one.
  for mechanism in SCRAM-SHA-512 SCRAM-SHA-256; do
    if ! output="$("$JAVA" -cp "$LIBS_DIR/*" "$(log_config_flag tools-log4j)" \
      "$config_command" --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" --alter \
      --entity-type users --entity-name "$KAFKA_SASL_USERNAME" \
      --add-config "$mechanism=[password=$KAFKA_SASL_PASSWORD]" 2>&1)"; then
      # The tool may echo its arguments: nothing holding the password is shown or kept.
      grep -vF -- "$KAFKA_SASL_PASSWORD" <<<"$output" >&2 || true
      die "could not set the $mechanism credentials"
    fi
  done
  (umask 077 && scram_fingerprint >"$SCRAM_MARKER")
}

# KRaft refuses to start on an unformatted log dir. Format once with a random cluster id;
# --ignore-formatted makes a repeat a no-op.
ensure_formatted() {
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  # A cluster id is 16 random bytes in URL-safe base64 without padding (22 characters). One that
  # starts with '-' (1 in 64) is taken for an option by kafka-storage's argument parser, so it
  # is drawn again, also when an earlier run left such an id behind.
  while [[ ! -s "$CLUSTER_ID_FILE" || "$(head -c 1 "$CLUSTER_ID_FILE")" == "-" ]]; do
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$CLUSTER_ID_FILE"
  done
  log "kafka: formatting storage (cluster id $(cat "$CLUSTER_ID_FILE"))"
  local scram=()
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then
    scram=(--add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USERNAME,password=$KAFKA_SASL_PASSWORD]"
      --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USERNAME,password=$KAFKA_SASL_PASSWORD]")
  fi
  "$JAVA" -cp "$LIBS_DIR/*" "$(log_config_flag tools-log4j)" \
    kafka.tools.StorageTool format -t "$(cat "$CLUSTER_ID_FILE")" -c "$CONFIG_FILE" --ignore-formatted \
    "${scram[@]}" >"$LOG_DIR/format.out" 2>&1 || { cat "$LOG_DIR/format.out" >&2; die "kafka storage format failed"; }
  rm -f "$SCRAM_MARKER"
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]]; then (umask 077 && scram_fingerprint >"$SCRAM_MARKER"); fi
}

# Wait until the broker both accepts connections and has logged that it finished starting
# (the port opens a little before the broker serves requests). Fails early if the JVM dies.
wait_ready() {
  local pid="$1" log_offset="$2" deadline=$((SECONDS + KAFKA_READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      show_failure "the broker process (pid $pid) exited during startup"
      return 1
    fi
    # Process substitution rather than a pipe: with pipefail, `tail | grep -q` can report
    # failure when grep exits early and tail dies of SIGPIPE.
    if port_open "$KAFKA_HOST" "$KAFKA_PORT" \
      && { [[ -z "$KAFKA_SASL_SSL_PORT" ]] || port_open "$KAFKA_HOST" "$KAFKA_SASL_SSL_PORT"; } \
      && { [[ -z "$KAFKA_SSL_PORT" ]] || port_open "$KAFKA_HOST" "$KAFKA_SSL_PORT"; } \
      && grep -q 'Kafka Server started' < <(tail -c +"$((log_offset + 1))" "$LOG_DIR/server.log" 2>/dev/null); then
      return 0
    fi
    sleep 0.5
  done
  show_failure "the broker was not ready within ${KAFKA_READY_TIMEOUT}s"
  return 1
}

show_failure() {
  {
    echo "infra: error: $1"
    echo "---- last lines of ${LOG_DIR#"$ROOT"/}/server.log ----"
    tail -n 40 "$LOG_DIR/server.log" 2>/dev/null || true
    echo "---- last lines of ${LOG_DIR#"$ROOT"/}/kafka.out (JVM stdout/stderr) ----"
    tail -n 20 "$LOG_DIR/kafka.out" 2>/dev/null || true
  } >&2
}

kafka_start() {
  local pid
  if pid="$(our_kafka_pid)"; then
    local addr
    addr="$(our_kafka_addr)"
    if [[ "$addr" != "$KAFKA_HOST:$KAFKA_PORT" ]]; then
      die "our broker (pid $pid) runs on ${addr:-?}, not $KAFKA_HOST:$KAFKA_PORT; stop it first: scripts/infra.sh kafka-stop"
    fi
    check_running_listeners "$pid"
    # Ours and alive: either ready already or still starting; either way, just wait.
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      log "kafka: already running (pid $pid) on $KAFKA_HOST:$KAFKA_PORT"
      ensure_scram_user
      return 0
    fi
    log "kafka: pid $pid is still starting; waiting"
    wait_ready "$pid" "$(cat "$LOG_OFFSET_FILE" 2>/dev/null || echo 0)" || return 1
    log "kafka: ready on $KAFKA_HOST:$KAFKA_PORT"
    ensure_scram_user
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    if docker_started; then
      log "kafka: already running on $KAFKA_HOST:$KAFKA_PORT (docker compose)"
    else
      log "kafka: something already answers on $KAFKA_HOST:$KAFKA_PORT (not started by this script); using it as is"
    fi
    return 0
  fi
  if port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
    die "port $KAFKA_CONTROLLER_PORT (KAFKA_CONTROLLER_PORT) is taken by another process"
  fi
  if [[ -n "$KAFKA_SASL_SSL_PORT" ]] && port_open "$KAFKA_HOST" "$KAFKA_SASL_SSL_PORT"; then
    die "port $KAFKA_SASL_SSL_PORT (KAFKA_SASL_SSL_PORT) is taken by another process"
  fi
  if [[ -n "$KAFKA_SSL_PORT" ]] && port_open "$KAFKA_HOST" "$KAFKA_SSL_PORT"; then
    die "port $KAFKA_SSL_PORT (KAFKA_SSL_PORT) is taken by another process"
  fi

  check_java
  check_sasl_credentials
  ensure_jars
  ensure_tls
  write_config
  ensure_formatted

  # Only the new part of the (appended, rolling) log counts when looking for the ready line.
  local log_offset=0
  [[ -f "$LOG_DIR/server.log" ]] && log_offset="$(stat -c %s "$LOG_DIR/server.log")"
  echo "$log_offset" >"$LOG_OFFSET_FILE"

  log "kafka: starting Apache Kafka $KAFKA_VERSION (KRaft) on $KAFKA_HOST:$KAFKA_PORT"
  # setsid + nohup: the broker gets its own session, so it outlives this shell and is not hit
  # by Ctrl-C or SIGHUP aimed at the caller's terminal. Both exec, so $! is the JVM's pid.
  # `9>&-` closes the lock file for the JVM: a broker inheriting it would hold the lock for
  # its whole life and block every later call of this script.
  # shellcheck disable=SC2086  # KAFKA_HEAP is deliberately word-split into JVM flags
  nohup setsid "$JAVA" $KAFKA_HEAP \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    "-Dkafka.logs.dir=$LOG_DIR" "$(log_config_flag log4j)" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$CONFIG_FILE" \
    >>"$LOG_DIR/kafka.out" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$KAFKA_VERSION" >"$RUNNING_VERSION_FILE"

  local started=$SECONDS
  if ! wait_ready "$pid" "$log_offset"; then
    kafka_stop_pid "$pid" >/dev/null 2>&1 || true
    rm -f "$PID_FILE" "$LOG_OFFSET_FILE"
    return 1
  fi
  ensure_scram_user
  log "kafka: ready on $KAFKA_HOST:$KAFKA_PORT (pid $pid, $((SECONDS - started))s)$(secured_summary)"
}

# A running broker keeps the listeners it was started with; asking for another one needs a restart.
check_running_listeners() {
  local pid="$1" want
  for want in ${KAFKA_SASL_SSL_PORT:+"SASL_SSL://$KAFKA_HOST:$KAFKA_SASL_SSL_PORT"} ${KAFKA_SSL_PORT:+"SSL://$KAFKA_HOST:$KAFKA_SSL_PORT"}; do
    grep -q "^listeners=.*$want" "$CONFIG_FILE" 2>/dev/null \
      || die "our broker (pid $pid) runs without the $want listener; restart it: scripts/infra.sh kafka-stop, then start again with the same variables"
  done
  check_sasl_credentials
}

secured_summary() {
  [[ -n "$KAFKA_SASL_SSL_PORT" ]] && printf '; SASL_SSL on %s' "$KAFKA_HOST:$KAFKA_SASL_SSL_PORT"
  [[ -n "$KAFKA_SSL_PORT" ]] && printf '; SSL (client certificate required) on %s' "$KAFKA_HOST:$KAFKA_SSL_PORT"
  secured_enabled && printf '; CA %s' "${KAFKA_TLS_DIR#"$ROOT"/}/ca.crt"
  return 0
}

# SIGTERM lets the broker flush and write a clean-shutdown marker, which makes the next
# start fast; SIGKILL only if it has not exited within KAFKA_STOP_TIMEOUT.
kafka_stop_pid() {
  local pid="$1" deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "kafka: pid $pid still running after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  # Wait for the kernel to reap it so the ports are free when we return.
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

kafka_stop() {
  local pid
  if pid="$(our_kafka_pid)"; then
    log "kafka: stopping pid $pid ($(our_kafka_addr))"
    kafka_stop_pid "$pid"
    rm -f "$PID_FILE" "$LOG_OFFSET_FILE"
    log "kafka: stopped (data kept in ${DATA_DIR#"$ROOT"/})"
    return 0
  fi
  rm -f "$PID_FILE"
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    log "kafka: the broker on $KAFKA_HOST:$KAFKA_PORT was not started by this script; leaving it running"
  else
    log "kafka: not running"
  fi
}

# ---------------------------------------------------------------------------------------
# Docker path (only where a Docker engine answers): compose starts what is not answering
# ---------------------------------------------------------------------------------------

docker_usable() {
  [[ "$INFRA_MODE" == "local" ]] && return 1
  # A broker already on the port (ours or anybody's) wins over starting another one.
  port_open "$KAFKA_HOST" "$KAFKA_PORT" && return 1
  compose_cmd
}

docker_up() {
  local compose="$1" services=(kafka)
  if ! postgres_ready; then
    services+=(postgres)
    # docker-compose.yml's postgres has a password and a `shopwire` database.
    [[ -n "$DATABASE_URL_GIVEN" ]] || DATABASE_URL="postgres://postgres:dev-only-postgres-password@127.0.0.1:5432/shopwire"
  fi
  redis_ready || services+=(redis)
  log "docker: $compose up -d ${services[*]}"
  (cd "$ROOT" && $compose up -d "${services[@]}")
  mkdir -p "$KAFKA_CACHE_DIR"
  echo "${services[*]}" >"$DOCKER_MARKER"
  local deadline=$((SECONDS + KAFKA_READY_TIMEOUT))
  until port_open "$KAFKA_HOST" "$KAFKA_PORT" && postgres_ready && redis_ready; do
    ((SECONDS < deadline)) || die "containers did not become reachable within ${KAFKA_READY_TIMEOUT}s; see: $compose logs"
    sleep 1
  done
  log "docker: ${services[*]} up"
}

docker_started() { [[ -s "$DOCKER_MARKER" ]]; }

docker_compose_for_marker() {
  compose_cmd || die "services were started with docker compose, but no Docker engine answers now"
}

# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------

cmd_up() {
  take_lock
  local compose
  if compose="$(docker_usable)"; then
    docker_up "$compose"
  elif [[ "$INFRA_MODE" == "docker" ]] && ! port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    die "INFRA_MODE=docker, but no Docker engine with compose answers here"
  else
    local ok=0
    check_postgres || ok=1
    check_redis || ok=1
    ((ok == 0)) || exit 1
    kafka_start || exit 1
  fi
  log "ready: KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT DATABASE_URL=$(redact "$DATABASE_URL") REDIS_URL=$(redact "$REDIS_URL")$(secured_summary)"
}

cmd_down() {
  take_lock
  if docker_started; then
    local compose services
    compose="$(docker_compose_for_marker)"
    services="$(cat "$DOCKER_MARKER")"
    # shellcheck disable=SC2086  # the marker holds a space-separated service list
    (cd "$ROOT" && $compose stop $services)
    rm -f "$DOCKER_MARKER"
    log "docker: stopped $services"
    return 0
  fi
  kafka_stop
  # Postgres and Redis belong to the machine; `down` never stops them.
}

cmd_kafka_stop() {
  take_lock
  if docker_started; then
    (cd "$ROOT" && $(docker_compose_for_marker) stop kafka)
    return 0
  fi
  kafka_stop
}

cmd_kafka_start() {
  take_lock
  if docker_started; then
    (cd "$ROOT" && $(docker_compose_for_marker) start kafka)
    return 0
  fi
  kafka_start || exit 1
}

cmd_status() {
  local all_up=0 pid addr
  if pid="$(our_kafka_pid)"; then
    addr="$(our_kafka_addr)"
    if port_open "${addr%:*}" "${addr##*:}"; then
      echo "kafka:    running   $addr (started by this script, pid $pid, Kafka $(cat "$RUNNING_VERSION_FILE" 2>/dev/null || echo '?'))"
    else
      echo "kafka:    starting  $addr (started by this script, pid $pid, port not open yet)"
      all_up=1
    fi
    [[ "$addr" == "$KAFKA_HOST:$KAFKA_PORT" ]] || echo "          note: KAFKA_HOST/KAFKA_PORT ask for $KAFKA_HOST:$KAFKA_PORT"
    local secured
    secured="$(grep '^listeners=' "$CONFIG_FILE" 2>/dev/null | grep -oE '(SASL_SSL|SSL)://[^,]+' | tr '\n' ' ' || true)"
    [[ -z "$secured" ]] || echo "          also ${secured% } (CA ${KAFKA_TLS_DIR#"$ROOT"/}/ca.crt)"
  elif port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    if docker_started; then
      echo "kafka:    running   $KAFKA_HOST:$KAFKA_PORT (docker compose)"
    else
      echo "kafka:    running   $KAFKA_HOST:$KAFKA_PORT (not started by this script)"
    fi
  else
    echo "kafka:    stopped   $KAFKA_HOST:$KAFKA_PORT"
    all_up=1
  fi
  if [[ -f "$VERSION_STAMP" ]]; then
    echo "jars:     Kafka $(cat "$VERSION_STAMP"), $(jar_count) jars in ${LIBS_DIR#"$ROOT"/}"
  else
    echo "jars:     not fetched yet (the first \`up\` fetches them)"
  fi
  if postgres_ready; then echo "postgres: ready     $(redact "$DATABASE_URL")"; else echo "postgres: down      $(redact "$DATABASE_URL")"; all_up=1; fi
  if redis_ready; then echo "redis:    ready     $(redact "$REDIS_URL")"; else echo "redis:    down      $(redact "$REDIS_URL")"; all_up=1; fi
  return "$all_up"
}

cmd_logs() {
  local file="$LOG_DIR/server.log"
  [[ -f "$file" ]] || die "no broker log yet ($file); run: scripts/infra.sh up"
  if [[ -t 1 ]]; then
    exec tail -n 100 -F "$file"
  fi
  tail -n "${1:-200}" "$file"
}

cmd_reset() {
  take_lock
  kafka_stop
  rm -rf "$DATA_DIR" "$CLUSTER_ID_FILE" "$CONFIG_FILE"
  log "kafka: data deleted; the next \`up\` formats a fresh cluster"
}

cmd_tool() {
  [[ $# -ge 1 ]] || die "usage: scripts/infra.sh tool MAIN_CLASS [ARGS...]"
  check_java
  ensure_jars
  exec "$JAVA" -cp "$LIBS_DIR/*" "$(log_config_flag tools-log4j)" "$@"
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    kafka-stop) cmd_kafka_stop ;;
    kafka-start) cmd_kafka_start ;;
    logs) cmd_logs "$@" ;;
    reset) cmd_reset ;;
    tool) cmd_tool "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

# `exit` on the same line: bash stops reading here, so editing this file while a long `up`
# is running cannot make that run execute the edited text.
main "$@"; exit $?
