import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * RED metrics for every HTTP route of a service: `shopwire_http_requests_total` and
 * `shopwire_http_request_duration_seconds`, labelled by method, route pattern (never the raw URL:
 * ids in paths would explode the series count) and status code.
 */
export function instrumentHttp(fastify: FastifyInstance, registry: Registry): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests =
    (registry.getSingleMetric('shopwire_http_requests_total') as Counter<string> | undefined) ??
    new Counter({
      name: 'shopwire_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric('shopwire_http_request_duration_seconds') as
      Histogram<string> | undefined) ??
    new Histogram({
      name: 'shopwire_http_request_duration_seconds',
      help: 'Time from request received to response sent',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
