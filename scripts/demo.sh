#!/usr/bin/env bash
# npm run demo — Shopwire's main job on this machine, without Docker:
#   real Kafka + the machine's Postgres and Redis → build → topics → migrations →
#   the Shopify simulator :3100 (with its SMTP sink :2525 and ERP stand-in) sending a steady,
#   realistic, signed webhook stream (with Shopify's duplicates and reordering) through the
#   gateway :3000 into Kafka, and on into order :3001, inventory :3002, notification :3003,
#   analytics :3004 and sync :3005, each in its own Postgres schema.
# Prints where to look, then a progress line every 5 s. Ctrl-C stops the three services
# gracefully; the broker keeps running (`npm run infra -- down` stops it).
#
# Env: DEMO_RATE (webhooks/s, default 20), DEMO_DURATION (seconds; default: until Ctrl-C),
#      plus anything the services read (see README).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RATE="${DEMO_RATE:-20}"
DURATION="${DEMO_DURATION:-0}"
LOGS="$ROOT/.cache/demo"
SHOP="shopwire-demo.myshopify.com"
# Development placeholders only; a deployment sets its own (see README, Configuration).
export SHOPIFY_WEBHOOK_SECRETS="${SHOPIFY_WEBHOOK_SECRETS:-dev-only-shopify-webhook-secret}"
export SHOPIFY_WEBHOOK_SECRET="${SHOPIFY_WEBHOOK_SECRET:-${SHOPIFY_WEBHOOK_SECRETS%%,*}}"
DEMO_TOKEN="dev-only-api-token-0001"
export API_TOKENS="${API_TOKENS:-demo:$DEMO_TOKEN}"
# Sync's Admin API calls (catalog metafields, store config, pricing rules; jobs) go to the simulator.
# (The template goes through a variable: a `}` inside `${VAR:-…}` would end the expansion early.)
DEMO_ADMIN_URL='http://127.0.0.1:3100/shops/{shop}/admin/api/{version}'
export SHOPIFY_ADMIN_URL="${SHOPIFY_ADMIN_URL:-$DEMO_ADMIN_URL}"
export SHOPIFY_ACCESS_TOKEN="${SHOPIFY_ACCESS_TOKEN:-dev-only-shopify-access-token}"
export KAFKAJS_NO_PARTITIONER_WARNING=1 NX_DAEMON=false
mkdir -p "$LOGS"

say() { printf '\033[1m%s\033[0m\n' "$*"; }

[ -d node_modules ] || { say "installing dependencies (npm ci)"; npm ci --no-audit --no-fund; }
say "starting infrastructure"
bash scripts/infra.sh up
say "building, creating topics, migrating"
npm run -s build
npm run -s provision >"$LOGS/provision.log"
npm run -s migrate >"$LOGS/migrate.log"

pids=()
stop_all() {
  trap - INT TERM EXIT
  say "stopping services (graceful: finish in-flight work, commit, close)"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  say "stopped. The broker is still running: npm run infra -- down"
}
trap stop_all INT TERM EXIT

start() { # name port entry [env...]
  local name=$1 port=$2 entry=$3
  shift 3
  env PORT="$port" "$@" node "dist/apps/$entry" >"$LOGS/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "$name did not become ready; its log: $LOGS/$name.log" >&2
  tail -20 "$LOGS/$name.log" >&2
  exit 1
}

start shopify-sim 3100 shopify-sim/src/main.js SIM_AUTOSTART_RATE="$RATE" \
  GATEWAY_URL=http://127.0.0.1:3000/webhooks/shopify
start gateway 3000 gateway/src/main.js
start order 3001 order/src/main.js
start inventory 3002 inventory/src/main.js
start notification 3003 notification/src/main.js MERCHANT_DEFAULT_EMAIL=merchant@shopwire-demo.example
start analytics 3004 analytics/src/main.js
start sync 3005 sync/src/main.js

metric() { # url series [label filter] → the series summed over its labels
  curl -fs "$1/metrics" 2>/dev/null |
    awk -v s="$2" -v f="${3:-}" 'index($0, s) == 1 && index($0, f) > 0 { sum += $NF } END { printf "%d", sum }'
}

cat <<EOT

Shopwire is running: the simulator sends ~${RATE} signed webhooks/s to the gateway.
  newest orders    curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3001/orders?shop=$SHOP&limit=5'
  one order        curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3001/orders/<id>?shop=$SHOP'
  daily sales      curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3004/sales/daily?shop=$SHOP&from=2020-01-01&to=2030-01-01'
  emails sent      curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3003/notifications?shop=$SHOP&limit=5'
  ERP sync         curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3005/sync/orders/<id>?shop=$SHOP'
  pricing rules    curl -si -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3005/catalog/pricing-rules?shop=$SHOP'
  dead letters     npm run ops -- dlq list
  simulator stats  curl -s -H 'Authorization: Bearer $DEMO_TOKEN' http://127.0.0.1:3100/sim/webhooks/stats
  metrics          curl -s http://127.0.0.1:3000/metrics | grep shopwire_   (also :3001, :3100)
  API docs         http://127.0.0.1:<port>/docs for every port above
  logs             $LOGS/*.log
Ctrl-C to stop.

EOT

started=$(date +%s)
while :; do
  sleep 5
  sent=$(metric http://127.0.0.1:3100 'shopify_sim_webhook_deliveries_total{' 'result="delivered"')
  accepted=$(metric http://127.0.0.1:3000 shopwire_webhooks_accepted_total)
  dupes=$(metric http://127.0.0.1:3000 shopwire_webhooks_duplicate_total)
  applied=$(metric http://127.0.0.1:3001 shopwire_order_updates_applied_total)
  stale=$(metric http://127.0.0.1:3001 shopwire_order_stale_updates_total)
  emails=$(metric http://127.0.0.1:3003 shopwire_notification_sends_total)
  erp=$(metric http://127.0.0.1:3005 shopwire_sync_erp_calls_total)
  printf '%4ds  delivered %-6s accepted %-6s (dupes %s)  order updates %-6s (stale %s)  emails %-6s ERP calls %s\n' \
    "$(( $(date +%s) - started ))" "$sent" "$accepted" "$dupes" "$applied" "$stale" "$emails" "$erp"
  if [ "$DURATION" -gt 0 ] && [ $(( $(date +%s) - started )) -ge "$DURATION" ]; then break; fi
done
