import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { baseMetricName, metricNamesIn, registeredMetricNames } from './metric-names';
import { REPO_ROOT } from './render';

const OBS = join(REPO_ROOT, 'deploy/observability');

/**
 * Series the alerts and the dashboard may read without the code registering them: exporters
 * outside Shopwire, and prom-client's default Node metrics (collectDefaultMetrics).
 */
const EXTERNAL_METRICS = new Map<string, string>([
  [
    'kafka_consumergroup_lag',
    'Kafka exporter (compose observability profile; in Kubernetes, deploy one)',
  ],
  ['nginx_ingress_controller_requests', 'ingress-nginx controller metrics'],
  ['nodejs_eventloop_lag_p99_seconds', 'prom-client default metrics'],
  ['process_resident_memory_bytes', 'prom-client default metrics'],
]);

interface Rule {
  alert?: string;
  record?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rulesFiles = readdirSync(join(OBS, 'prometheus/rules')).filter((f) => f.endsWith('.yml'));
const rules: Rule[] = rulesFiles.flatMap((file) => {
  const doc = parse(readFileSync(join(OBS, 'prometheus/rules', file), 'utf8')) as {
    groups: { name: string; rules: Rule[] }[];
  };
  return doc.groups.flatMap((group) => group.rules);
});
const dashboards = readdirSync(join(OBS, 'grafana/dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({
    file,
    json: JSON.parse(readFileSync(join(OBS, 'grafana/dashboards', file), 'utf8')) as {
      uid: string;
      panels: {
        id: number;
        gridPos: { x: number; w: number };
        datasource?: { uid: string };
        targets: { expr: string; datasource?: { uid: string } }[];
      }[];
    },
  }));
const known = registeredMetricNames(REPO_ROOT);

function unknownMetrics(exprs: string[]): string[] {
  return [
    ...new Set(
      exprs
        .flatMap(metricNamesIn)
        .map((name) => baseMetricName(name, known))
        .filter((name) => !known.has(name) && !EXTERNAL_METRICS.has(name)),
    ),
  ];
}

describe('Prometheus alert rules', () => {
  it('cover the five conditions Shopwire pages on', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'ShopwireConsumerLagGrowing',
        'ShopwireDeadLettersPending',
        'ShopwireCircuitBreakerOpen',
        'ShopwireGateway5xxRate',
        'ShopwireIngress5xxRate',
        'ShopwireWebhookAckSlow',
      ]),
    );
  });

  it.each(rules.map((r) => [r.alert ?? r.record ?? '?', r] as const))(
    '%s has expr, for, a severity and a summary and description',
    (_name, rule) => {
      expect(rule.alert).toMatch(/^Shopwire[A-Z]\w+$/);
      expect(rule.expr?.trim()).toBeTruthy();
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
    },
  );

  it('read only metrics the code registers or a named exporter provides', () => {
    expect(unknownMetrics(rules.map((r) => r.expr ?? ''))).toEqual([]);
  });

  it('each alert has a promtool unit test (run by scripts/validate-compose.sh)', () => {
    const tests = readdirSync(join(OBS, 'prometheus/tests'))
      .map((f) => readFileSync(join(OBS, 'prometheus/tests', f), 'utf8'))
      .join('\n');
    for (const rule of rules) expect(tests).toContain(`alertname: ${rule.alert}`);
  });
});

describe('Grafana dashboards', () => {
  const datasources = parse(
    readFileSync(join(OBS, 'grafana/provisioning/datasources/datasources.yml'), 'utf8'),
  ) as { datasources: { uid: string }[] };
  const uids = new Set(datasources.datasources.map((d) => d.uid));

  it.each(dashboards.map((d) => [d.file, d.json] as const))(
    '%s reads existing metrics from provisioned data sources, panels laid out on the grid',
    (_file, dashboard) => {
      expect(dashboard.uid).toBeTruthy();
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const panel of dashboard.panels) {
        expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
        expect(uids.has(panel.datasource?.uid ?? '')).toBe(true);
        for (const target of panel.targets)
          expect(uids.has(target.datasource?.uid ?? '')).toBe(true);
      }
      expect(unknownMetrics(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)))).toEqual(
        [],
      );
    },
  );
});

describe('metric name extraction', () => {
  it('finds selectors, histogram series and __name__ alternatives', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le) (rate(shopwire_webhook_ack_seconds_bucket[5m]))) > 1 and ' +
          'sum(rate({__name__=~"shopwire_(order|sync)_consumer_messages_processed_total"}[5m])) + up',
      ).sort(),
    ).toEqual(
      [
        'shopwire_webhook_ack_seconds_bucket',
        'shopwire_order_consumer_messages_processed_total',
        'shopwire_sync_consumer_messages_processed_total',
      ].sort(),
    );
    expect(unknownMetrics(['rate(shopwire_made_up_total[5m])'])).toEqual([
      'shopwire_made_up_total',
    ]);
  });
});

describe('docker-compose.yml', () => {
  it('passes scripts/validate-compose.sh (project rules, and promtool when installed)', () => {
    const output = execFileSync('bash', [join(REPO_ROOT, 'scripts/validate-compose.sh')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output).toMatch(/project rules passed/);
    expect(output).toMatch(/validate-compose: OK/);
  }, 60_000);
});

describe('Kafka UI (compose observability profile)', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      {
        image?: string;
        profiles?: string[];
        ports?: string[];
        environment?: Record<string, string>;
        depends_on?: Record<string, { condition: string }>;
      }
    >;
  };
  const ui = compose.services['kafka-ui'];
  const env = ui?.environment ?? {};
  // Compose writes a literal `$` as `$$`; Kafbat receives the single one.
  const masked = new RegExp(
    (env.KAFKA_CLUSTERS_0_MASKING_0_FIELDSNAMEPATTERN ?? '').replaceAll('$$', '$'),
  );

  it('is Kafbat UI, pinned, opt-in, on loopback, reading the compose broker', () => {
    expect(ui?.image).toMatch(/^ghcr\.io\/kafbat\/kafka-ui:v\d+\.\d+\.\d+$/);
    expect(ui?.profiles).toEqual(['observability']);
    expect(ui?.ports?.every((port) => port.startsWith('127.0.0.1:'))).toBe(true);
    // The broker's INTERNAL listener, the one other containers use.
    expect(env.KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe('kafka:19092');
    expect(compose.services.kafka?.environment?.KAFKA_ADVERTISED_LISTENERS).toContain(
      'INTERNAL://kafka:19092',
    );
    expect(ui?.depends_on?.kafka?.condition).toBe('service_healthy');
  });

  it('is read-only and cannot be reconfigured from the browser', () => {
    expect(env.KAFKA_CLUSTERS_0_READONLY).toBe('true');
    expect(env.DYNAMIC_CONFIG_ENABLED).toBe('false');
  });

  it("masks every message value's personal fields, and only those", () => {
    expect(env.KAFKA_CLUSTERS_0_MASKING_0_TYPE).toBe('REPLACE');
    expect(env.KAFKA_CLUSTERS_0_MASKING_0_TOPICVALUESPATTERN).toBe('.*');
    // Shopify's webhook fields (snake_case) and Shopwire's domain events (camelCase).
    for (const field of [
      'email',
      'contact_email',
      'phone',
      'first_name',
      'last_name',
      'firstName',
      'lastName',
      'address1',
      'zip',
      'billing_address',
      'shipping_address',
      'default_address',
      'browser_ip',
      'client_details',
      'note',
    ]) {
      expect(masked.test(field)).toBe(true);
    }
    // What an operator looks for stays readable.
    for (const field of ['id', 'name', 'order_number', 'total_price', 'sku', 'shop_domain'])
      expect(masked.test(field)).toBe(false);
  });
});
