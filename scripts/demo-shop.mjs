// Prints a shop's installation and its webhook subscriptions as the shops service sees them
// (`GET /shops/:shop`, `GET /shops/:shop/webhook-subscriptions`), after waiting until the
// subscription reconciler has checked every declared topic since the shop's token was stored.
// `npm run demo` runs it right after installing the demo shop through OAuth.
//
//   SHOPS_API_TOKEN=<one of the shops service's API_TOKENS> \
//     node scripts/demo-shop.mjs [--url http://127.0.0.1:3006] [--wait 60] <shop>
//
// Neither answer ever holds a token. Exit 1 when the shop is not installed or its subscriptions
// are not all in place in time.

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [, value] = args.splice(at, 2);
  return value;
};
const base = option('--url', 'http://127.0.0.1:3006').replace(/\/+$/, '');
const waitSeconds = Number(option('--wait', '60'));
const [shop] = args;
const apiToken = process.env.SHOPS_API_TOKEN;
if (!shop || !apiToken || !Number.isFinite(waitSeconds)) {
  console.error('usage: SHOPS_API_TOKEN=… node scripts/demo-shop.mjs [--url U] [--wait S] <shop>');
  process.exit(2);
}

async function get(path) {
  const response = await fetch(`${base}${path}`, {
    headers: { authorization: `Bearer ${apiToken}`, accept: 'application/json' },
    signal: AbortSignal.timeout(5000),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

const PLACED = new Set(['in_place', 'created', 'updated']);
const checkedSince = (subscription, since) =>
  subscription.actual?.lastCheckedAt != null && subscription.actual.lastCheckedAt >= since;

const installation = await get(`/shops/${shop}`);
if (installation.status !== 'installed') {
  console.error(`${shop} is ${installation.status}, not installed`);
  process.exit(1);
}

// The reconciler runs on the install's own `installation.installed` event, so its check lands a
// moment after the token was stored; rows checked before (an earlier install) do not count.
const since = [installation.installedAt, installation.credential?.refreshedAt ?? ''].sort().at(-1);
const deadline = Date.now() + waitSeconds * 1000;
let view = await get(`/shops/${shop}/webhook-subscriptions`);
while (!view.subscriptions.every((s) => checkedSince(s, since)) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  view = await get(`/shops/${shop}/webhook-subscriptions`);
}

const credential = installation.credential;
const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'never');
const rows = [
  ['status', installation.status],
  ['grant', `${installation.grantType} (installation generation ${installation.generation})`],
  ['installed', when(installation.installedAt)],
  ['scopes', installation.scopes.join(', ') || '(none)'],
];
if (credential) {
  rows.push(
    [
      'access token',
      `expires ${when(credential.accessTokenExpiresAt)} (${credential.health}), ` +
        `sealed with key ${credential.keyId}, version ${credential.version}`,
    ],
    [
      'refresh token',
      credential.hasRefreshToken
        ? `until ${when(credential.refreshTokenExpiresAt)} (rotated at every refresh)`
        : 'none',
    ],
  );
}
console.log(`\nInstallation of ${shop} (GET /shops/${shop}; tokens are never shown)`);
for (const [label, value] of rows) console.log(`  ${label.padEnd(14)}${value}`);

const placed = view.subscriptions.filter(
  (s) => checkedSince(s, since) && PLACED.has(s.actual.state),
);
console.log(
  `\nWebhook subscriptions (GET /shops/${shop}/webhook-subscriptions): ` +
    `${placed.length} of ${view.subscriptions.length} in place → ${view.endpoint} (API ${view.apiVersion})`,
);
const width = Math.max(...view.subscriptions.map((s) => s.topic.length)) + 2;
for (const s of view.subscriptions) {
  const actual = s.actual;
  const state = checkedSince(s, since) ? actual.state : 'not checked yet';
  const id = actual?.shopifyId ? actual.shopifyId.replace('gid://shopify/', '') : '';
  const where = actual?.uri && actual.uri !== s.desired.uri ? `  at ${actual.uri}` : '';
  console.log(`  ${s.topic.padEnd(width)}${state.padEnd(16)}${id}${where}`);
}
if (placed.length < view.subscriptions.length) {
  console.error(
    `\nnot every subscription is in place after ${waitSeconds} s; see the shops service's log`,
  );
  process.exit(1);
}
