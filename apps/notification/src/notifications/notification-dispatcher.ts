import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { extractTraceContext, SpanKind, tracer, type Logger } from '@shopwire/observability';
import { fullJitterDelay, isBreakerOpenError } from '@shopwire/resilience';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG, NOTIFICATION_LOGGER } from '../notification.tokens';
import { EmailSender, isPermanentSmtpError, sendErrorSummary } from './email-sender';
import { renderEmail } from './notification-templates';
import { NotificationsMetrics } from './notifications.metrics';
import { NotificationsRepository, type DueIntent } from './notifications.repository';

// Later passes wait longer for an intent that keeps failing, up to this.
const RETRY_CAP_MS = 5 * 60_000;
// How often the pending gauge is refreshed.
const PENDING_SAMPLE_MS = 5000;

const spans = tracer('notification');

/**
 * The sender loop: claims due intents (SKIP LOCKED, with a lease), sends each, marks it sent.
 * Runs in every replica; a restart resumes whatever is still pending. Trade-off for a crash after
 * the relay accepted an email but before it was marked sent: the lease runs out and the email is
 * sent again — at least once, never lost — with the same Message-ID, so the relay and receivers
 * can drop the copy. The window is one SMTP answer plus one UPDATE.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private pendingSampledAt = 0;

  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
    @Inject(NOTIFICATION_LOGGER) private readonly logger: Logger,
    private readonly repository: NotificationsRepository,
    private readonly sender: EmailSender,
    private readonly metrics: NotificationsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming; the pass in flight finishes (its emails are marked) before the pool closes. */
  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** New intents committed: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.pass();
        // A count over the table: sampled, not paid on every pass of a busy sender.
        if (Date.now() - this.pendingSampledAt >= PENDING_SAMPLE_MS) {
          this.pendingSampledAt = Date.now();
          this.metrics.pending.set(await this.repository.countPending());
        }
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'sender pass failed; will retry');
      }
      // A full batch means more are probably due: go again at once.
      if (claimed < this.config.SENDER_BATCH) await this.idle(this.config.SENDER_POLL_MS);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        this.woken = false;
        done();
      };
    });
  }

  /** One batch; returns how many intents it claimed. */
  async pass(): Promise<number> {
    if (this.sender.state === 'open') return 0; // nothing would get through; keep them pending
    const due = await this.repository.claimDue(
      this.config.SENDER_BATCH,
      this.config.SENDER_LEASE_MS,
    );
    const sent = (await Promise.all(due.map((intent) => this.deliver(intent)))).filter(
      (s): s is { intent: DueIntent; started: number } => s !== null,
    );
    // One UPDATE for the pass: the window between the relay's answer and the mark stays short
    // (one batch of SMTP answers) and a busy sender does not pay one round trip per email.
    await this.repository.markSent(sent.map((s) => s.intent.id));
    for (const s of sent) this.count(s.intent, 'sent', s.started);
    return due.length;
  }

  /** The intent once the relay accepted it (marked by the caller), or null when it failed. */
  private async deliver(intent: DueIntent): Promise<{ intent: DueIntent; started: number } | null> {
    const started = performance.now();
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
      await this.sender.send({
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
      });
      span.end();
      return { intent, started };
    } catch (error) {
      span.setStatus({ code: 2, message: sendErrorSummary(error) }); // SpanStatusCode.ERROR
      span.end();
      await this.failed(intent, error, started);
      return null;
    }
  }

  private async failed(intent: DueIntent, error: unknown, started: number): Promise<void> {
    const summary = sendErrorSummary(error);
    if (isBreakerOpenError(error)) {
      // Not an attempt: the relay was never asked. Due again when the breaker lets a trial through.
      await this.repository.release(intent.id, this.sender.resetMs, summary);
      this.count(intent, 'refused', started);
      return;
    }
    const permanent = isPermanentSmtpError((error as { cause?: unknown }).cause ?? error);
    const delayMs = Math.max(
      this.config.SEND_RETRY_BASE_MS,
      fullJitterDelay(intent.attempts + 1, 1000, RETRY_CAP_MS),
    );
    const status = await this.repository.markAttemptFailed(
      intent.id,
      summary,
      delayMs,
      this.config.SEND_MAX_ATTEMPTS,
      permanent,
    );
    this.count(intent, status === 'failed' ? 'failed' : 'retry', started);
    this.logger.warn(
      { notificationId: intent.id, template: intent.template, error: summary, status },
      status === 'failed' ? 'email failed for good' : 'email send failed; will retry',
    );
  }

  private count(intent: DueIntent, result: string, started: number): void {
    this.metrics.sends.inc({ template: intent.template, result });
    this.metrics.sendSeconds.observe({ result }, (performance.now() - started) / 1000);
  }
}
