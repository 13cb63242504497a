#!/usr/bin/env bash
# A local load balancer in front of several gateway processes: nginx, round-robin, keepalive.
# Stands in on one machine for what the Kubernetes ingress does in a cluster (docs/scaling.md).
#
#   scripts/lb.sh install   install nginx from Debian's packages when it is missing (root)
#   scripts/lb.sh render    write the config under $LB_DIR and check it with `nginx -t`
#   scripts/lb.sh up        install if needed, render, start nginx (own pid file), wait for the port
#   scripts/lb.sh down      stop the nginx this script started (by its pid file), nothing else
#   scripts/lb.sh status    exit 0 when our nginx runs and answers
#
# The machine's own nginx config (/etc/nginx) is never read or written: nginx is started with
# `-c` pointing at the rendered file and `-p` at $LB_DIR, so its pid, logs and temp folders live
# there too. Stopping is by the pid in our own pid file, never by name.
#
# Environment (defaults in brackets):
#   LB_PORT        port nginx listens on [8080]
#   LB_UPSTREAMS   comma-separated host:port of the gateways [127.0.0.1:3000,127.0.0.1:3010]
#   LB_KEEPALIVE   idle keepalive connections nginx keeps open to each worker's upstreams [64]
#   LB_WORKERS     nginx worker processes [1]: one is plenty here and leaves the cores to the gateways
#   LB_DIR         config, pid, logs [<repo>/.cache/lb]
#   LB_NGINX       which nginx binary [nginx on PATH, else /usr/sbin/nginx]
set -euo pipefail
# nginx reads $NGINX as sockets inherited from a binary upgrade: never pass one through.
unset NGINX

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LB_PORT="${LB_PORT:-8080}"
LB_UPSTREAMS="${LB_UPSTREAMS:-127.0.0.1:3000,127.0.0.1:3010}"
LB_KEEPALIVE="${LB_KEEPALIVE:-64}"
LB_WORKERS="${LB_WORKERS:-1}"
LB_DIR="${LB_DIR:-$ROOT/.cache/lb}"
CONF="$LB_DIR/nginx.conf"
PID_FILE="$LB_DIR/nginx.pid"

log() { printf 'lb: %s\n' "$*"; }
die() { printf 'lb: error: %s\n' "$*" >&2; exit 1; }

find_nginx() {
  if [[ -n "${LB_NGINX:-}" ]]; then echo "$LB_NGINX"; return; fi
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

install_nginx() {
  if [[ -n "$(find_nginx)" ]]; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "nginx is missing and there is no apt-get; install nginx and set LB_NGINX"
  [[ "$(id -u)" == 0 ]] || die "nginx is missing; install it as root: apt-get install -y nginx-light"
  log "installing nginx-light from Debian's packages"
  # Debian's postinst would start the system nginx on port 80; RUNLEVEL=1 makes invoke-rc.d
  # skip that (a container's policy-rc.d usually does too). We only want the binary.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  [[ -n "$(find_nginx)" ]] || die "nginx-light installed but no nginx binary found"
}

render() {
  mkdir -p "$LB_DIR/logs" "$LB_DIR/tmp"
  local servers="" up
  IFS=',' read -ra ups <<<"$LB_UPSTREAMS"
  [[ ${#ups[@]} -gt 0 ]] || die "LB_UPSTREAMS is empty"
  for up in "${ups[@]}"; do
    [[ "$up" =~ ^[A-Za-z0-9._-]+:[0-9]+$ ]] || die "bad upstream '$up' (want host:port)"
    # A gateway that refuses connections is skipped for 5 s, so a killed replica costs at most
    # one retried request per 5 s instead of an error for every second request.
    servers+="    server $up max_fails=1 fail_timeout=5s;"$'\n'
  done
  cat >"$CONF" <<EOF
# Rendered by scripts/lb.sh — edits are overwritten on the next \`up\`.
worker_processes $LB_WORKERS;
pid $PID_FILE;
error_log $LB_DIR/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $LB_DIR/tmp/body;
  proxy_temp_path $LB_DIR/tmp/proxy;
  fastcgi_temp_path $LB_DIR/tmp/fastcgi;
  uwsgi_temp_path $LB_DIR/tmp/uwsgi;
  scgi_temp_path $LB_DIR/tmp/scgi;
  # Shopify's webhook bodies stay far below this; the gateway enforces its own limit (413).
  client_max_body_size 6m;
  client_body_buffer_size 64k;

  upstream gateways {
    # Round-robin is nginx's default: no directive needed. Requests are independent (the
    # gateway keeps no session), so nothing needs sticky routing.
$servers    # Idle connections kept open to the gateways: without them every webhook pays a TCP
    # handshake and the gateways' accept loop.
    keepalive $LB_KEEPALIVE;
  }

  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://gateways;
      # Keepalive to upstreams needs HTTP/1.1 and an empty Connection header.
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      # The gateway answers after Kafka acked (its own ack timeout is 2 s); leave it room.
      proxy_connect_timeout 2s;
      proxy_read_timeout 10s;
      # A POST is retried on the next gateway only when the first could not be reached at all
      # (connection refused / reset before sending): never after a gateway may have written to
      # Kafka. Even then a duplicate would be harmless: consumers deduplicate by webhook id.
      proxy_next_upstream error;
      proxy_next_upstream_tries 2;
      proxy_request_buffering on;
    }
  }
}
EOF
  local nginx; nginx="$(find_nginx)"
  [[ -n "$nginx" ]] || die "nginx not found (scripts/lb.sh install)"
  "$nginx" -t -q -p "$LB_DIR" -c "$CONF" -e "$LB_DIR/logs/error.log" \
    || die "nginx rejected $CONF"
  log "config $CONF: :$LB_PORT → $LB_UPSTREAMS"
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE" 2>/dev/null)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

up() {
  install_nginx
  render
  local nginx; nginx="$(find_nginx)"
  if pid="$(running_pid)"; then
    log "already running (pid $pid); reloading config"
    "$nginx" -p "$LB_DIR" -c "$CONF" -e "$LB_DIR/logs/error.log" -s reload
    return
  fi
  port_open "$LB_PORT" && die "port $LB_PORT is taken by something else (set LB_PORT)"
  # nginx daemonises itself and writes our pid file; the master runs as root here, so the
  # workers would switch to the system's nginx user: keep them as whoever runs this script
  # (as a non-root user nginx ignores the directive with a warning).
  # Its stdio goes to the log: the daemon would otherwise hold our caller's pipes open.
  "$nginx" -p "$LB_DIR" -c "$CONF" -e "$LB_DIR/logs/error.log" -g "user $(id -un);" \
    </dev/null >>"$LB_DIR/logs/error.log" 2>&1 || { tail -5 "$LB_DIR/logs/error.log" >&2; die "nginx failed to start"; }
  for _ in $(seq 1 50); do
    port_open "$LB_PORT" && { log "up on 127.0.0.1:$LB_PORT (pid $(cat "$PID_FILE"))"; return; }
    sleep 0.1
  done
  die "nginx did not open port $LB_PORT (see $LB_DIR/logs/error.log)"
}

down() {
  local pid
  if ! pid="$(running_pid)"; then log "not running"; rm -f "$PID_FILE"; return; fi
  kill -QUIT "$pid" # graceful: finish requests in flight
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { log "stopped (pid $pid)"; return; }; sleep 0.1; done
  kill -TERM "$pid" 2>/dev/null || true
  log "stopped (pid $pid, forced)"
}

status() {
  local pid
  if pid="$(running_pid)" && port_open "$LB_PORT"; then log "up (pid $pid) on :$LB_PORT"; return 0; fi
  log "down"; return 1
}

case "${1:-}" in
  install) install_nginx ;;
  render) render ;;
  up) up ;;
  down) down ;;
  status) status ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac
