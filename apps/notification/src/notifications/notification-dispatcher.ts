import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import {
  extractTraceContext,
  SpanKind,
  SpanStatusCode,
  tracer,
  type Logger,
  type Registry,
} from '@shopwire/observability';
import { OutboundDeliveryWorker, type DeliveryQueue } from '@shopwire/outbound-delivery';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { NotificationConfig } from '../config';
import { EmailSender, isPermanentSmtpError, sendErrorSummary } from './email-sender';
import { renderEmail } from './notification-templates';
import { NotificationsRepository, type DueIntent } from './notifications.repository';

// Later passes wait longer for an intent that keeps failing, up to this.
const RETRY_CAP_MS = 5 * 60_000;

const spans = tracer('notification');

/**
 * The sender: the `email` queue of the leased outbound-delivery worker (claims due intents with
 * SKIP LOCKED and a lease, sends each through the `smtp` breaker, marks it sent). Runs in every
 * replica; a restart resumes whatever is still pending. Trade-off for a crash after the relay
 * accepted an email but before it was marked sent: the lease runs out and the email is sent again
 * — at least once, never lost — with the same Message-ID, so the relay and receivers can drop the
 * copy. The window is one SMTP answer plus one UPDATE.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  readonly worker: OutboundDeliveryWorker;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationConfig,
    @Inject(SERVICE_LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly repository: NotificationsRepository,
    private readonly sender: EmailSender,
  ) {
    this.worker = new OutboundDeliveryWorker({
      name: 'notification',
      queues: [this.emails()],
      batch: config.SENDER_BATCH,
      pollMs: config.SENDER_POLL_MS,
      leaseMs: config.SENDER_LEASE_MS,
      breaker: () => ({
        name: 'smtp',
        timeoutMs: config.SMTP_TIMEOUT_MS,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
        errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
        resetTimeoutMs: config.BREAKER_RESET_MS,
        // A refused mailbox says nothing about the relay's health.
        isNotAFault: isPermanentSmtpError,
      }),
      logger,
      registry,
    });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  /** Stops claiming; the pass in flight finishes (its emails are marked) before the pool closes. */
  onModuleDestroy(): Promise<void> {
    return this.worker.stop();
  }

  /** New intents committed: look now rather than at the next poll. */
  wake(): void {
    this.worker.wake();
  }

  /** The `smtp` breaker, for readiness. */
  health(): Record<string, unknown> {
    return this.worker.health('smtp');
  }

  private emails(): DeliveryQueue<DueIntent> {
    const { repository, config } = this;
    return {
      name: 'email',
      claim: (limit, leaseMs) => repository.claimDue(limit, leaseMs),
      destination: 'smtp',
      kind: (intent) => intent.template,
      attempts: (intent) => intent.attempts,
      deliver: (intent, guard) => this.send(intent, guard),
      describeFailure: (error) => ({
        summary: sendErrorSummary(error),
        permanent: isPermanentSmtpError((error as { cause?: unknown }).cause ?? error),
      }),
      retry: {
        maxAttempts: config.SEND_MAX_ATTEMPTS,
        baseMs: 1000,
        capMs: RETRY_CAP_MS,
        floorMs: config.SEND_RETRY_BASE_MS,
      },
      // One UPDATE for the pass: the window between the relay's answer and the mark stays short.
      markDelivered: (sent) => repository.markSent(sent.map((s) => s.row.id)),
      markFailed: (intent, failed) =>
        repository.markAttemptFailed(intent.id, failed.error, failed.delayMs, failed.giveUp),
      release: (intent, delayMs, reason) => repository.release(intent.id, delayMs, reason),
      backlog: async () => [{ status: 'pending', n: await repository.countPending() }],
      logFields: (intent) => ({ notificationId: intent.id, template: intent.template }),
    };
  }

  private async send(intent: DueIntent, guard: Parameters<EmailSender['send']>[1]) {
    // The send joins the trace of the event that asked for it (stored with the intent).
    const span = spans.startSpan(
      'smtp send',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'shopwire.template': intent.template,
          'shopwire.attempt': intent.attempts + 1,
        },
      },
      extractTraceContext(intent.traceContext ?? {}),
    );
    try {
      const { subject, text } = renderEmail(intent.template, intent.shopDomain, intent.variables);
      await this.sender.send(
        {
          from: this.config.SMTP_FROM,
          to: intent.recipientName
            ? { name: intent.recipientName, address: intent.recipient }
            : intent.recipient,
          subject,
          text,
          messageId: intent.messageId,
          headers: {
            'X-Shopwire-Shop': intent.shopDomain,
            'X-Shopwire-Template': intent.template,
            'X-Shopwire-Event-Id': intent.eventId,
          },
        },
        guard,
      );
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: sendErrorSummary(error) });
      throw error;
    } finally {
      span.end();
    }
  }
}
