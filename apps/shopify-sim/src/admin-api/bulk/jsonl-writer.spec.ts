import { PassThrough, Writable } from 'node:stream';
import { JsonlWriter } from './jsonl-writer';

describe('JsonlWriter', () => {
  it('writes one JSON document per line and counts lines and bytes', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    const writer = new JsonlWriter(sink);
    await writer.write({ id: 'gid://shopify/Product/1', title: 'Ünïcode' });
    await writer.write({
      id: 'gid://shopify/ProductVariant/2',
      __parentId: 'gid://shopify/Product/1',
    });
    await writer.close();
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.split('\n')).toEqual([
      '{"id":"gid://shopify/Product/1","title":"Ünïcode"}',
      '{"id":"gid://shopify/ProductVariant/2","__parentId":"gid://shopify/Product/1"}',
      '',
    ]);
    expect(writer.lines).toBe(2);
    expect(writer.bytes).toBe(Buffer.byteLength(text));
  });

  it('waits for drain instead of buffering without bound', async () => {
    let release: (() => void) | null = null;
    const written: string[] = [];
    // A slow sink with a one-byte buffer: every write fills it.
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        release = callback;
      },
    });
    const writer = new JsonlWriter(slow);
    let done = false;
    const first = writer.write({ n: 1 }).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    expect(written).toHaveLength(1);
    release!();
    await first;
    expect(done).toBe(true);
    const closing = writer.close();
    await closing;
  });
});
