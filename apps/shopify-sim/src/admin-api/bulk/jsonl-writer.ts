import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes JSON Lines to a stream one object at a time, waiting for `drain` when the stream's
 * buffer is full, so a 60,000-line result never sits in memory as a whole. Counts what it wrote:
 * the bulk operation reports objectCount and fileSize from these.
 */
export class JsonlWriter {
  lines = 0;
  bytes = 0;

  constructor(private readonly stream: Writable) {}

  async write(object: unknown): Promise<void> {
    const line = `${JSON.stringify(object)}\n`;
    this.lines += 1;
    this.bytes += Buffer.byteLength(line, 'utf8');
    if (!this.stream.write(line)) await once(this.stream, 'drain');
  }

  /** Ends the stream and resolves once everything is flushed. */
  async close(): Promise<void> {
    this.stream.end();
    if (!(this.stream as Writable & { writableFinished?: boolean }).writableFinished)
      await once(this.stream, 'finish');
  }
}
