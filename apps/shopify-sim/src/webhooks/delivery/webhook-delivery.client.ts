import { Agent, request } from 'undici';

export type FailureReason =
  'http_status' | 'redirect' | 'timeout' | 'connect_timeout' | 'connection_error';

export type AttemptOutcome =
  { ok: true; status: number } | { ok: false; reason: FailureReason; status?: number };

export interface DeliveryClientOptions {
  /** Concurrent connections per origin; keep-alive connections are reused across deliveries. */
  connections: number;
  /** Shopify allows 1 s to establish the connection… */
  connectTimeoutMs: number;
  /** …and 5 s for the whole response. */
  responseTimeoutMs: number;
}

const RESPONSE_DRAIN_LIMIT = 64 * 1024;

/**
 * The only place the simulator talks HTTP to the receiver. It applies Shopify's rules for what
 * counts as delivered: a 2xx within the deadline. A redirect is not followed and counts as a
 * failure, as does any other status, a slow answer or a refused connection.
 */
export class WebhookDeliveryClient {
  private readonly agent: Agent;

  constructor(private readonly options: DeliveryClientOptions) {
    this.agent = new Agent({
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 10_000,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.responseTimeoutMs,
      bodyTimeout: options.responseTimeoutMs,
      maxRedirections: 0,
    });
  }

  async post(url: string, headers: Record<string, string>, body: Buffer): Promise<AttemptOutcome> {
    // One deadline for connect + headers + body: undici's own timeouts are per phase.
    const controller = new AbortController();
    const deadline = setTimeout(() => controller.abort(), this.options.responseTimeoutMs);
    try {
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.agent,
        signal: controller.signal,
      });
      await response.body.dump({ limit: RESPONSE_DRAIN_LIMIT });
      // dump() may resolve after the deadline aborted a slowly trickling body.
      if (controller.signal.aborted)
        return { ok: false, reason: 'timeout', status: response.statusCode };
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true, status };
      if (status >= 300 && status < 400) return { ok: false, reason: 'redirect', status };
      return { ok: false, reason: 'http_status', status };
    } catch (error) {
      return { ok: false, reason: classifyError(error, controller.signal.aborted) };
    } finally {
      clearTimeout(deadline);
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

function classifyError(error: unknown, aborted: boolean): FailureReason {
  const code = (error as { code?: string }).code;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect_timeout';
  if (aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return 'timeout';
  return 'connection_error';
}
