import {
  freePort,
  PIPELINE_SERVICES,
  startGroupAtEnd,
  testKafka,
  type ServiceSpec,
} from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { runNode, startService, type ServiceProcess } from './service-process';

export const PIPELINE_SECRET = 'pipeline-e2e-secret';
export const PIPELINE_TOKEN = 'pipeline-e2e-token-0123456789';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Every service of the pipeline as its own process, each consumer in a fresh group that starts
 * at its topics' current end, so a test sees only its own events. Services can be killed and
 * restarted under the same group to resume from their committed offsets.
 */
export class Pipeline {
  private readonly processes = new Map<string, ServiceProcess>();
  private readonly groups = new Map<string, string>();
  // Free ports picked once per pipeline (a restarted service keeps its port), so suites run in
  // parallel and beside a developer's `npm run demo` without colliding.
  private readonly ports = new Map<string, number>();
  private smtpPort = 0;
  // A pool, not one client: concurrent tests count their shops' effects at the same time.
  db = new Pool({ connectionString: DATABASE_URL, max: 5 });

  private constructor(
    private readonly specs: ServiceSpec[],
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<Pipeline> {
    const pipeline = new Pipeline(PIPELINE_SERVICES, env);
    await pipeline.reconnectDatabase();
    const kafka = testKafka();
    await Promise.all(
      pipeline.specs.map(async (spec) => {
        if (!spec.groupEnv) return;
        const group = `${spec.name}-e2e-${randomUUID().slice(0, 8)}`;
        pipeline.groups.set(spec.name, group);
        await startGroupAtEnd(kafka, group, spec.topics);
      }),
    );
    for (const spec of pipeline.specs) pipeline.ports.set(spec.name, await freePort());
    pipeline.smtpPort = await freePort();
    // The simulator first (the others are given its ERP and SMTP stand-ins), then the rest at
    // once: each mostly waits on its own boot and group join, so together they are ready in about
    // the time of the slowest rather than the sum. Every launch is let finish before a failure is
    // thrown, so stop() finds every process that did start.
    const [first, ...rest] = pipeline.specs;
    await pipeline.launch(first);
    const launched = await Promise.allSettled(rest.map((spec) => pipeline.launch(spec)));
    const failed = launched.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pipeline.stop();
      throw failed.reason;
    }
    return pipeline;
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.port(name)}`;
  }

  /** The consumer group a service runs in (a dead letter names it; only that group re-runs it). */
  groupOf(name: string): string {
    const group = this.groups.get(this.spec(name).name);
    if (group === undefined) throw new Error(`${name} has no consumer group`);
    return group;
  }

  get gatewayWebhookUrl(): string {
    return `${this.url('gateway')}/webhooks/shopify`;
  }

  /** Kills a service (SIGKILL: no shutdown hooks, in-flight work abandoned). */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.processes.get(name)?.stop(signal);
  }

  /** The end of a service's own output (warnings and errors: services log at `warn` here). */
  logTail(name: string, chars = 3000): string {
    return this.processes.get(name)?.output().slice(-chars) ?? '';
  }

  async restart(name: string): Promise<void> {
    await this.launch(this.spec(name));
  }

  /** Each service's effects for `shop`, named `<service>.<effect>`. */
  async effects(shop: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const spec of this.specs) {
      for (const [name, sql] of Object.entries(spec.effects ?? {})) {
        const result = await this.db.query<{ n: string }>(sql, [shop]);
        counts[`${spec.name}.${name}`] = Number(result.rows[0]?.n ?? 0);
      }
    }
    return counts;
  }

  async reconnectDatabase(): Promise<void> {
    await this.db.end().catch(() => undefined);
    this.db = new Pool({ connectionString: DATABASE_URL, max: 5 });
    // A restarted server kills the pool's connections; without a listener that 'error' would
    // crash Jest.
    this.db.on('error', () => undefined);
  }

  /** The simulator's CLI, sending through the gateway. */
  send(shop: string, args: string[]) {
    return runNode(
      'dist/apps/shopify-sim/src/cli.js',
      ['send', '--shops', shop, '--json', ...args],
      {
        GATEWAY_URL: this.gatewayWebhookUrl,
        SHOPIFY_WEBHOOK_SECRET: PIPELINE_SECRET,
        LOG_LEVEL: 'warn',
      },
    );
  }

  async stop(): Promise<void> {
    for (const process of [...this.processes.values()].reverse()) await process.stop('SIGTERM');
    await this.db.end();
  }

  private port(name: string): number {
    const port = this.ports.get(this.spec(name).name);
    if (port === undefined) throw new Error(`no port for ${name}`);
    return port;
  }

  private spec(name: string): ServiceSpec {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no service ${name} in the pipeline`);
    return spec;
  }

  private async launch(spec: ServiceSpec): Promise<void> {
    const env: Record<string, string> = {
      API_TOKENS: `e2e:${PIPELINE_TOKEN}`,
      SHOPIFY_WEBHOOK_SECRETS: PIPELINE_SECRET,
      SHOPIFY_WEBHOOK_SECRET: PIPELINE_SECRET,
      RUN_MIGRATIONS: 'true',
      ...spec.env,
      ...this.pipelineUrls(),
      ...this.env,
    };
    const group = this.groups.get(spec.name);
    if (group && spec.groupEnv) env[spec.groupEnv] = group;
    this.processes.set(spec.name, await startService(spec.name, this.port(spec.name), env));
  }

  /** Where services reach each other (the simulator's SMTP sink and ERP, the gateway). */
  private pipelineUrls(): Record<string, string> {
    const sim = this.url('shopify-sim');
    const smtpPort = this.smtpPort;
    return {
      GATEWAY_URL: this.gatewayWebhookUrl,
      ERP_URL: `${sim}/sim/erp/orders`,
      ERP_REDACT_URL: `${sim}/sim/erp/redact`,
      SIM_SMTP_PORT: String(smtpPort),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    };
  }
}
