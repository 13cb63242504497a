#!/usr/bin/env bash
# npm run demo — Shopwire's main job on this machine, without Docker:
#   real Kafka + the machine's Postgres and Redis → build → topics → migrations → the Shopify
#   simulator :3100 (with its SMTP sink :2525 and ERP stand-in), the gateway :3000, order :3001,
#   inventory :3002, notification :3003, analytics :3004, sync :3005 and shops :3006, each in its
#   own Postgres schema, and the operator's console :3007 → the demo shop installed through OAuth's authorization code grant, driven
#   as a browser would (curl with a cookie jar following the redirects), which also creates its
#   webhook subscriptions → a steady, realistic, signed webhook stream (with Shopify's duplicates
#   and reordering) to those subscriptions: through the gateway into Kafka and on to the services.
#   Sync's Admin API calls use the token the install stored, asked from the shops service.
# Prints the installation, its subscriptions and where to look, then a progress line every 5 s.
# Ctrl-C stops the services gracefully; the broker keeps running (`npm run infra -- down`).
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
SHOPS="http://127.0.0.1:3006"
# Development placeholders only; a deployment sets its own (see README, Configuration).
# The app the simulator knows from boot and the shops service installs with. Shopify signs an
# app's webhooks with its client secret, so the gateway verifies them with the same one.
APP_CLIENT_ID="${SHOPIFY_API_KEY:-shopwire-dev-client}"
APP_CLIENT_SECRET="${SHOPIFY_API_SECRET:-dev-only-shopwire-client-secret-0123456789}"
export SHOPIFY_WEBHOOK_SECRETS="${SHOPIFY_WEBHOOK_SECRETS:-$APP_CLIENT_SECRET}"
export SHOPIFY_WEBHOOK_SECRET="${SHOPIFY_WEBHOOK_SECRET:-${SHOPIFY_WEBHOOK_SECRETS%%,*}}"
DEMO_TOKEN="dev-only-api-token-0001"
export API_TOKENS="${API_TOKENS:-demo:$DEMO_TOKEN}"
# Sync's Admin API calls (catalog metafields, store config, pricing rules; jobs) go to the simulator.
# (The templates go through variables: a `}` inside `${VAR:-…}` would end the expansion early.)
DEMO_ADMIN_URL='http://127.0.0.1:3100/shops/{shop}/admin/api/{version}'
DEMO_SHOP_URL='http://127.0.0.1:3100/shops/{shop}'
export SHOPIFY_ADMIN_URL="${SHOPIFY_ADMIN_URL:-$DEMO_ADMIN_URL}"
# Tokens come from the shops service only: an environment token would hide a failed install.
unset SHOPIFY_ACCESS_TOKEN SHOPIFY_ACCESS_TOKENS
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export KAFKAJS_NO_PARTITIONER_WARNING=1 NX_DAEMON=false
mkdir -p "$LOGS"

say() { printf '\033[1m%s\033[0m\n' "$*"; }

[[ "$RATE" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "DEMO_RATE must be webhooks per second, e.g. 20" >&2; exit 2; }
[[ "$DURATION" =~ ^[0-9]+$ ]] || { echo "DEMO_DURATION must be whole seconds, e.g. 40" >&2; exit 2; }

# A port already taken would make a service fail at start, or the demo talk to someone else's.
for port in 3000 3001 3002 3003 3004 3005 3006 3007 3100 2525; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use (an earlier demo still running?); the demo needs 3000-3007, 3100 and 2525" >&2
    exit 1
  fi
done

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

# No stream at boot: the shop's webhooks flow once it is installed and subscribed (below).
start shopify-sim 3100 shopify-sim/src/main.js GATEWAY_URL=http://127.0.0.1:3000/webhooks/shopify \
  SIM_APP_CLIENT_ID="$APP_CLIENT_ID" SIM_APP_CLIENT_SECRET="$APP_CLIENT_SECRET"
# REDIS_URL: webhooks of shops the shops service marked uninstalled are acknowledged and dropped.
start gateway 3000 gateway/src/main.js
start order 3001 order/src/main.js
start inventory 3002 inventory/src/main.js
start notification 3003 notification/src/main.js MERCHANT_DEFAULT_EMAIL=merchant@shopwire-demo.example
start analytics 3004 analytics/src/main.js
start shops 3006 shops/src/main.js SHOPIFY_API_KEY="$APP_CLIENT_ID" \
  SHOPIFY_API_SECRET="$APP_CLIENT_SECRET" SHOPIFY_SHOP_URL="$DEMO_SHOP_URL" \
  SHOPWIRE_PUBLIC_URL="$SHOPS" SHOPIFY_WEBHOOK_URL=http://127.0.0.1:3000/webhooks/shopify \
  SHOPS_TOKEN_KEYS="${SHOPS_TOKEN_KEYS:-dev-only-k1:ZGV2LW9ubHktdG9rZW4ta2V5LTAwMDAwMDAwMDAwMDA=}" \
  SHOPS_COOKIE_SECRET="${SHOPS_COOKIE_SECRET:-dev-only-cookie-secret-0000000000000000}"
start sync 3005 sync/src/main.js SHOPS_URL="$SHOPS" SHOPS_API_TOKEN="$DEMO_TOKEN"
# The console over plain http on this machine: its session cookie cannot be Secure here.
start console 3007 console/src/main.js CONSOLE_COOKIE_SECURE=false \
  CONSOLE_SESSION_KEY="${CONSOLE_SESSION_KEY:-ZGV2LW9ubHktY29uc29sZS1zZXNzaW9uLWtleS0wMDA=}"

# The merchant's side of the install: open the install link, approve on the consent screen (the
# simulator approves at once), land on the callback. The state cookie set by /auth/install must
# come back with the callback, so curl keeps a cookie jar across the redirects, as a browser does.
say "installing the app on $SHOP (OAuth authorization code grant, expiring offline token)"
jar="$LOGS/install-cookies.txt"
rm -f "$jar"
install_answer=$(curl -sS -L --max-redirs 5 -c "$jar" -b "$jar" -H 'Accept: application/json' \
  -w '\n%{http_code} %{num_redirects}' "$SHOPS/auth/install?shop=$SHOP")
rm -f "$jar"
read -r install_status install_hops <<<"$(tail -n1 <<<"$install_answer")"
if [ "$install_status" != 200 ]; then
  echo "the install failed ($install_status): $(sed '$d' <<<"$install_answer")" >&2
  echo "the shops service's log: $LOGS/shops.log (docs/connect-a-store.md, \"When it fails\")" >&2
  exit 1
fi
echo "  GET $SHOPS/auth/install?shop=$SHOP → the simulator's consent screen → /auth/callback: 200 after $install_hops redirects"
SHOPS_API_TOKEN="$DEMO_TOKEN" node scripts/demo-shop.mjs --url "$SHOPS" --wait 60 "$SHOP"

# Sync asks the shops service for the shop's token; one Admin API read proves the chain (unless
# an earlier run's answer is still in the catalog cache, which X-Cache tells).
pricing=$(curl -s -o /dev/null -D - -H "Authorization: Bearer $DEMO_TOKEN" \
  "http://127.0.0.1:3005/catalog/pricing-rules?shop=$SHOP" | tr -d '\r')
pricing_status=$(awk 'NR == 1 { print $2 }' <<<"$pricing")
pricing_cache=$(awk 'tolower($1) == "x-cache:" { print $2 }' <<<"$pricing")
echo
if [ "$pricing_status" = 200 ] && [ "$pricing_cache" = hit ]; then
  echo "Sync's pricing rules: HTTP 200 from its cache (an earlier run filled it; it expires within 2 min)"
elif [ "$pricing_status" = 200 ]; then
  echo "Sync read the shop's pricing rules through the Admin API with the installed token: HTTP 200"
else
  echo "Sync's pricing-rules read answered HTTP ${pricing_status:-?} (expected 200); see $LOGS/sync.log and shops.log" >&2
fi

# The store's traffic, now that it has somewhere to go: Shopify's everyday imperfections, mildly.
curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' \
  -d "{\"rate\": $RATE, \"shops\": [\"$SHOP\"], \"faults\": {\"duplicates\": 0.02, \"reorderWindow\": 10, \"delayProbability\": 0.01, \"delayMaxMs\": 5000}}" \
  http://127.0.0.1:3100/sim/webhooks/streams

metric() { # url series [label filter] → the series summed over its labels
  curl -fs "$1/metrics" 2>/dev/null |
    awk -v s="$2" -v f="${3:-}" 'index($0, s) == 1 && index($0, f) > 0 { sum += $NF } END { printf "%d", sum }'
}

cat <<EOT

Shopwire is running: the simulator sends ~${RATE} signed webhooks/s to $SHOP's subscriptions (the gateway).
  console          http://127.0.0.1:3007  (sign in with the token $DEMO_TOKEN)
  newest orders    curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3001/orders?shop=$SHOP&limit=5'
  one order        curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3001/orders/<id>?shop=$SHOP'
  daily sales      curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3004/sales/daily?shop=$SHOP&from=2020-01-01&to=2030-01-01'
  emails sent      curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3003/notifications?shop=$SHOP&limit=5'
  ERP sync         curl -s -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3005/sync/orders/<id>?shop=$SHOP'
  pricing rules    curl -si -H 'Authorization: Bearer $DEMO_TOKEN' 'http://127.0.0.1:3005/catalog/pricing-rules?shop=$SHOP'
  installation     curl -s -H 'Authorization: Bearer $DEMO_TOKEN' $SHOPS/shops/$SHOP
  subscriptions    curl -s -H 'Authorization: Bearer $DEMO_TOKEN' $SHOPS/shops/$SHOP/webhook-subscriptions
  dead letters     npm run ops -- dlq list
  simulator stats  curl -s -H 'Authorization: Bearer $DEMO_TOKEN' http://127.0.0.1:3100/sim/webhooks/stats
  metrics          curl -s http://127.0.0.1:3000/metrics | grep shopwire_   (also :3001 … :3006, :3100)
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
  emails=$(metric http://127.0.0.1:3003 'shopwire_outbound_deliveries_total{' 'queue="email"')
  erp=$(metric http://127.0.0.1:3005 'shopwire_outbound_deliveries_total{' 'queue="erp_')
  printf '%4ds  delivered %-6s accepted %-6s (dupes %s)  order updates %-6s (stale %s)  emails %-6s ERP calls %s\n' \
    "$(( $(date +%s) - started ))" "$sent" "$accepted" "$dupes" "$applied" "$stale" "$emails" "$erp"
  if [ "$DURATION" -gt 0 ] && [ $(( $(date +%s) - started )) -ge "$DURATION" ]; then break; fi
done
