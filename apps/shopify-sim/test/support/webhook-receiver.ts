import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Which delivery of this webhook id this is, from 1. */
  seenCount: number;
  at: number;
}

export interface ReceiverAnswer {
  status: number;
  /** Wait this long before answering (to trip the sender's deadline). */
  delayMs?: number;
  headers?: Record<string, string>;
}

/**
 * A real HTTP server standing in for the gateway: it records every request and answers as the
 * test scripts it, per webhook id and attempt.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly counts = new Map<string, number>();
  private server?: Server;

  constructor(
    private readonly answer: (request: ReceivedWebhook) => ReceiverAnswer = () => ({ status: 200 }),
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const webhookId = String(req.headers['x-shopify-webhook-id'] ?? '');
        const seenCount = (this.counts.get(webhookId) ?? 0) + 1;
        this.counts.set(webhookId, seenCount);
        const record: ReceivedWebhook = {
          path: req.url ?? '',
          webhookId,
          headers: req.headers,
          body: Buffer.concat(chunks),
          seenCount,
          at: Date.now(),
        };
        this.received.push(record);
        const { status, delayMs = 0, headers = {} } = this.answer(record);
        const reply = () => {
          if (res.destroyed) return;
          res.writeHead(status, headers).end(status < 300 ? 'ok' : 'no');
        };
        if (delayMs > 0) setTimeout(reply, delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/shopify`;
  }

  byWebhookId(): Map<string, ReceivedWebhook[]> {
    const groups = new Map<string, ReceivedWebhook[]>();
    for (const r of this.received) groups.set(r.webhookId, [...(groups.get(r.webhookId) ?? []), r]);
    return groups;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
