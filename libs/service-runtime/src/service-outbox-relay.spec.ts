import { createSchemaDataSource } from '@shopwire/database';
import { createLogger, createMetricsRegistry } from '@shopwire/observability';
import { Kafka } from 'kafkajs';
import { ServiceOutboxRelay } from './service-outbox-relay';

// Nothing here connects: a relay that is never started opens no connection, and a kafkajs
// producer connects only when asked. What runs against Postgres and Kafka is covered by the
// services' outbox integration suites.
function relay(enabled: boolean): ServiceOutboxRelay {
  return new ServiceOutboxRelay({
    enabled,
    kafka: new Kafka({ clientId: 'spec', brokers: ['127.0.0.1:1'] }),
    dataSource: createSchemaDataSource({
      url: 'postgres://unused@127.0.0.1:1/none',
      schema: 'spec',
      poolSize: 1,
    }),
    logger: createLogger('spec', 'silent'),
    registry: createMetricsRegistry('spec'),
  });
}

describe('ServiceOutboxRelay', () => {
  it('when disabled, starts nothing and reports itself disabled to readiness', async () => {
    const disabled = relay(false);
    disabled.onApplicationBootstrap();
    expect(disabled.status).toBeNull();
    await expect(disabled.readinessCheck().check()).resolves.toEqual({ enabled: false });
    await disabled.beforeApplicationShutdown();
  });

  it('is not ready until it runs', async () => {
    const idle = relay(true);
    expect(idle.status).toMatchObject({ running: false, healthy: false });
    const check = idle.readinessCheck();
    expect(check.name).toBe('outbox-relay');
    await expect(check.check()).rejects.toThrow('outbox relay is not running');
  });
});
