import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { Counter, type Registry } from '@shopwire/observability';

export type AdminApi = 'graphql' | 'rest';
export type AdminOutcome =
  'ok' | 'throttled' | 'max_cost_exceeded' | 'unauthorized' | 'fault' | 'invalid';

/** Prometheus view of the Admin API side; labels stay low-cardinality (no shop domains). */
@Injectable()
export class AdminMetrics {
  private readonly requests: Counter<'api' | 'outcome'>;
  private readonly points: Counter<'kind'>;
  private readonly bulkObjects: Counter<never>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = new Counter({
      name: 'shopify_sim_admin_requests_total',
      help: 'Admin API requests by API (graphql, rest) and outcome (ok, throttled, max_cost_exceeded, unauthorized, fault, invalid)',
      labelNames: ['api', 'outcome'],
      registers: [registry],
    });
    this.points = new Counter({
      name: 'shopify_sim_admin_graphql_points_total',
      help: 'GraphQL cost points: requested (reserved), used (actual) and refunded',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.bulkObjects = new Counter({
      name: 'shopify_sim_admin_bulk_objects_total',
      help: 'Objects (JSONL lines) written by bulk operations',
      registers: [registry],
    });
  }

  request(api: AdminApi, outcome: AdminOutcome): void {
    this.requests.inc({ api, outcome });
  }

  graphqlPoints(requested: number, used: number): void {
    this.points.inc({ kind: 'requested' }, requested);
    this.points.inc({ kind: 'used' }, used);
    this.points.inc({ kind: 'refunded' }, Math.max(0, requested - used));
  }

  bulkObjectsWritten(count: number): void {
    this.bulkObjects.inc(count);
  }
}
