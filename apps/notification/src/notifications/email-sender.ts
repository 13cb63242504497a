import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { BreakerGuard } from '@shopwire/outbound-delivery';
import { isBreakerOpenError, retry } from '@shopwire/resilience';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { NotificationConfig } from '../config';

/** An SMTP 5xx: this message is refused for good (bad mailbox); retrying cannot help. */
export function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** What a log line or the intent's last_error says about a failed send (no addresses). */
export function sendErrorSummary(error: unknown): string {
  if (isBreakerOpenError(error)) return 'smtp breaker open';
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown; cause?: unknown };
  if (e?.cause && (error as Error).name === 'RetriesExhaustedError')
    return sendErrorSummary(e.cause);
  const parts = [e?.responseCode, e?.code].filter((p) => p !== undefined).join(' ');
  return parts || String(e?.message ?? error).slice(0, 200);
}

/**
 * Hands emails to the SMTP relay: every attempt through the `smtp` breaker the sender loop passes
 * in (so an outage stops the hammering and shows in health and metrics), a few attempts with
 * backoff and full jitter per send. An open breaker is not retried here: the caller keeps the
 * intent pending.
 */
@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: NotificationConfig) {
    this.transport = createTransport(config.SMTP_URL, {
      pool: true,
      maxConnections: config.SMTP_POOL_SIZE,
      // nodemailer's default (100) reconnects — a fresh TCP + EHLO — every hundred emails.
      maxMessages: config.SMTP_MAX_MESSAGES_PER_CONNECTION,
      connectionTimeout: Math.min(5000, config.SMTP_TIMEOUT_MS),
      greetingTimeout: Math.min(5000, config.SMTP_TIMEOUT_MS),
      socketTimeout: config.SMTP_TIMEOUT_MS,
    } as never);
  }

  async send(mail: SendMailOptions, guard: BreakerGuard): Promise<void> {
    await retry(() => guard(() => this.transport.sendMail(mail)), {
      attempts: this.config.SEND_ATTEMPTS,
      baseMs: this.config.SEND_RETRY_BASE_MS,
      capMs: this.config.SEND_RETRY_BASE_MS * 8,
      retryable: (error) => !isBreakerOpenError(error) && !isPermanentSmtpError(error),
    });
  }

  /** After every onModuleDestroy: the sender loop's last pass has finished by then. */
  onApplicationShutdown(): void {
    this.transport.close();
  }
}
