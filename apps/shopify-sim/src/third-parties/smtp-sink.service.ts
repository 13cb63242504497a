import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@shopwire/observability';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { SIM_LOGGER } from '../app.tokens';
import { loadConfig } from '@shopwire/config';
import { smtpFaultsSchema, thirdPartiesConfigSchema, type SmtpFaults } from './third-party-faults';

const thirdPartiesConfig = () => loadConfig(thirdPartiesConfigSchema);

export const SIM_SMTP_PORT = Symbol('SIM_SMTP_PORT');

/** One message the sink accepted. Test fixture data: bodies are kept in memory only. */
export interface ReceivedMail {
  id: string;
  receivedAt: string;
  from: string | null;
  to: string[];
  messageId: string | null;
  subject: string | null;
  /** Every header, lower-cased names, first value. */
  headers: Record<string, string>;
  text: string;
  size: number;
}

export interface MailFilter {
  to?: string;
  messageId?: string;
  subject?: string;
  /** `name:value` on any header, e.g. `x-shopwire-shop:acme.myshopify.com`. */
  header?: string;
}

export interface SmtpSinkStats {
  listening: boolean;
  port: number | null;
  accepted: number;
  rejected: number;
  tempFailed: number;
  stored: number;
}

const MAX_STORED = 50_000;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** Splits a raw RFC 5322 message into unfolded headers and the body. */
export function parseRawMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const text = split === -1 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }
  return { headers, text };
}

/**
 * The SMTP relay stand-in: a real SMTP server (`smtp-server`) that keeps what it accepts in
 * memory for tests to inspect, and fails on request — permanent and temporary refusals, slow
 * answers, or no listener at all.
 */
@Injectable()
export class SmtpSinkService implements OnModuleInit, OnApplicationShutdown {
  private readonly server: SMTPServer;
  private readonly messages: ReceivedMail[] = [];
  private faults: SmtpFaults = smtpFaultsSchema.parse({});
  private listening = false;
  private boundPort: number | null = null;
  private counts = { accepted: 0, rejected: 0, tempFailed: 0 };

  constructor(
    @Inject(SIM_SMTP_PORT) private readonly port: number,
    @Inject(SIM_LOGGER) private readonly logger: Logger,
  ) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      // Sessions opened before the sink went "down" (pooled clients) are refused too.
      onMailFrom: (_address, _session, callback) =>
        callback(this.faults.down ? smtpError(421, 'Service not available') : null),
      onData: (stream, session, callback) => this.receive(stream, session, callback),
    });
    this.server.on('error', (error) => this.logger.warn({ err: error.message }, 'smtp sink error'));
  }

  async onModuleInit(): Promise<void> {
    await this.startListening(this.port);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.listening = false;
  }

  stats(): SmtpSinkStats {
    return {
      listening: this.listening,
      port: this.boundPort,
      ...this.counts,
      stored: this.messages.length,
    };
  }

  getFaults(): SmtpFaults {
    return { ...this.faults };
  }

  async setFaults(faults: SmtpFaults): Promise<SmtpFaults> {
    this.faults = faults;
    if (faults.down && this.listening) await this.stopListening();
    if (!faults.down && !this.listening) await this.startListening(this.boundPort ?? this.port);
    return this.getFaults();
  }

  list(filter: MailFilter = {}): ReceivedMail[] {
    const [headerName, ...rest] = filter.header?.split(':') ?? [];
    const headerValue = rest.join(':');
    return this.messages.filter(
      (m) =>
        (!filter.to || m.to.includes(filter.to.toLowerCase())) &&
        (!filter.messageId || m.messageId === filter.messageId) &&
        (!filter.subject || (m.subject ?? '').includes(filter.subject)) &&
        (!headerName || m.headers[headerName.toLowerCase()] === headerValue),
    );
  }

  clear(): number {
    const removed = this.messages.length;
    this.messages.length = 0;
    return removed;
  }

  private async startListening(port: number): Promise<void> {
    // The shared machine may already run a simulator on the default port: the webhook side must
    // still work, so a busy port is reported (readiness details, stats) rather than fatal.
    await new Promise<void>((resolve) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.logger.warn({ port, code: error.code }, 'smtp sink could not listen');
        resolve();
      };
      this.server.server.once('error', onError);
      this.server.listen(port, thirdPartiesConfig().SIM_SMTP_HOST, () => {
        this.server.server.off('error', onError);
        this.listening = true;
        this.boundPort = (this.server.server.address() as AddressInfo).port;
        this.logger.info({ port: this.boundPort }, 'smtp sink listening');
        resolve();
      });
    });
  }

  /** Closes the listener only: new connections are refused, open sessions finish. */
  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      this.listening = false;
      this.server.server.close(() => resolve());
      // net.Server#close waits for open connections; refusing new ones is what matters here.
      setTimeout(resolve, 50);
    });
  }

  private receive(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (error?: Error | null) => void,
  ): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const { rejectRate, tempFailRate, delayMs } = this.faults;
      const draw = Math.random();
      const answer = () => {
        if (draw < rejectRate) {
          this.counts.rejected++;
          return callback(smtpError(550, 'Requested action not taken: mailbox unavailable'));
        }
        if (draw < rejectRate + tempFailRate) {
          this.counts.tempFailed++;
          return callback(smtpError(451, 'Requested action aborted: try again later'));
        }
        this.store(Buffer.concat(chunks).toString('utf8'), session);
        callback(null);
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  }

  private store(raw: string, session: SMTPServerSession): void {
    const { headers, text } = parseRawMail(raw);
    this.counts.accepted++;
    if (this.messages.length >= MAX_STORED) this.messages.shift();
    this.messages.push({
      id: randomUUID(),
      receivedAt: new Date().toISOString(),
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
      to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
      messageId: headers['message-id'] ?? null,
      subject: headers.subject ?? null,
      headers,
      text,
      size: raw.length,
    });
  }
}
