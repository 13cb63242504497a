import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import {
  breakerHealth,
  breakerState,
  createBreaker,
  isBreakerOpenError,
  retry,
  type Breaker,
  type BreakerState,
} from '@shopwire/resilience';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_CONFIG, NOTIFICATION_LOGGER } from '../notification.tokens';

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
 * Hands emails to the SMTP relay: every attempt through one opossum breaker (so an outage stops
 * the hammering and shows in health and metrics), a few attempts with backoff and full jitter per
 * send. An open breaker is not retried here: the caller keeps the intent pending.
 */
@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private readonly transport: Transporter;
  private readonly breaker: Breaker<[SendMailOptions], unknown>;

  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
    @Inject(NOTIFICATION_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.transport = createTransport(config.SMTP_URL, {
      pool: true,
      maxConnections: config.SMTP_POOL_SIZE,
      // nodemailer's default (100) reconnects — a fresh TCP + EHLO — every hundred emails.
      maxMessages: config.SMTP_MAX_MESSAGES_PER_CONNECTION,
      connectionTimeout: Math.min(5000, config.SMTP_TIMEOUT_MS),
      greetingTimeout: Math.min(5000, config.SMTP_TIMEOUT_MS),
      socketTimeout: config.SMTP_TIMEOUT_MS,
    } as never);
    this.breaker = createBreaker((mail: SendMailOptions) => this.transport.sendMail(mail), {
      name: 'smtp',
      timeoutMs: config.SMTP_TIMEOUT_MS,
      volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
      resetTimeoutMs: config.BREAKER_RESET_MS,
      // A refused mailbox says nothing about the relay's health.
      isNotAFault: isPermanentSmtpError,
      registry,
    });
    this.breaker.on('open', () => this.logger.warn({ breaker: 'smtp' }, 'circuit breaker opened'));
    this.breaker.on('halfOpen', () =>
      this.logger.info({ breaker: 'smtp' }, 'circuit breaker half-open'),
    );
    this.breaker.on('close', () => this.logger.info({ breaker: 'smtp' }, 'circuit breaker closed'));
  }

  get state(): BreakerState {
    return breakerState(this.breaker);
  }

  health(): Record<string, unknown> {
    return breakerHealth(this.breaker);
  }

  /** How long an open breaker waits before its trial call: when refused intents are due again. */
  get resetMs(): number {
    return this.config.BREAKER_RESET_MS;
  }

  async send(mail: SendMailOptions): Promise<void> {
    await retry(() => this.breaker.fire(mail), {
      attempts: this.config.SEND_ATTEMPTS,
      baseMs: this.config.SEND_RETRY_BASE_MS,
      capMs: this.config.SEND_RETRY_BASE_MS * 8,
      retryable: (error) => !isBreakerOpenError(error) && !isPermanentSmtpError(error),
    });
  }

  /** After every onModuleDestroy: the sender loop's last pass has finished by then. */
  onApplicationShutdown(): void {
    this.breaker.shutdown();
    this.transport.close();
  }
}
