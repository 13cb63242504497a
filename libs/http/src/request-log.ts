import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { withLogFields } from '@shopwire/observability';
import type { Logger } from 'pino';

/** The header a caller (or the ingress) names its request id in; echoed on every response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming request id may look like to be kept: a UUID, ingress-nginx's 32 hex digits,
 * a ULID or a similar token. Anything else (too long, spaces, quotes, control characters) is
 * replaced, so a caller cannot write arbitrary text into every log line of its request.
 */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The caller's `x-request-id` when it is well-formed, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && WELL_FORMED_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Fastify's request logging reduced to one access line per request, written when the response
 * has been sent: `request_id`, method, route pattern, status and duration. Fastify's default
 * lines are replaced because they carry the raw URL — its query string can hold a shop, a
 * customer's search or an OAuth code — and two lines per request where one answers "what
 * happened to request X". Headers and bodies are never logged, so `authorization`, cookies and
 * Shopify's HMAC cannot reach a line from here. Each line names its request itself: the other
 * lines of a request get `request_id` from `bindRequestId`, not from a per-request child logger.
 */
class AccessLogController extends LogController {
  override incomingRequest(): void {
    // One line per request, written on completion (below).
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      request_id: request.id,
      method: request.method,
      // The pattern (`/orders/:id`), never the URL: ids and query strings stay out of logs.
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request failed');
    else reply.log.info(line, 'request completed');
  }

  override routeNotFound(): void {
    // Fastify's own line quotes the raw URL; the access line already says 404 'unmatched'.
  }

  override defaultErrorLog(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
    // Fastify's default adds the request (with its URL) to 5xx lines; the error is enough here.
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    reply.log[level](
      { request_id: reply.request.id, err: error, status: reply.statusCode },
      error.message,
    );
  }

  override writeHeadError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    reply.log.warn({ request_id: request.id, err: error, status: reply.statusCode }, error.message);
  }
}

/**
 * The Fastify server options that make `logger` the request logger: request ids from
 * `x-request-id` (kept when well-formed) or generated, and the access line above.
 */
export function requestLogOptions(logger: Logger) {
  return {
    loggerInstance: logger,
    genReqId: requestIdOf,
    // The header is read (and checked) by genReqId; Fastify would take it unchecked.
    requestIdHeader: false as const,
    logController: new AccessLogController(),
    // No child logger per request: `bindRequestId` puts the id on every line of the request,
    // including those written through the service's own logger.
    childLoggerFactory: (parent: FastifyBaseLogger) => parent,
  };
}

/**
 * Every response says which request id it was logged under, for a caller reporting a problem;
 * and every line logged while the request is handled (its hooks, handler and what they await)
 * carries it as `request_id`. Registered first, so the rest of the request runs inside it.
 */
export function bindRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    withLogFields({ request_id: request.id }, done);
  });
}
