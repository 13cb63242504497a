// The baseline the gateway is measured against: a bare Node `http` server that reads the body,
// verifies the same HMAC and answers 200 — no Kafka, no framework. What any receiver must at least
// do, as fast as Node does it.
import { verifyWebhookHmac } from '@shopwire/shopify';
import { createServer } from 'node:http';

const secrets = (process.env.SHOPIFY_WEBHOOK_SECRETS ?? '').split(',');
const port = Number(process.env.PORT ?? 3090);

createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const header = request.headers['x-shopify-hmac-sha256'];
    const ok = verifyWebhookHmac(
      Buffer.concat(chunks),
      typeof header === 'string' ? header : null,
      secrets,
    );
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(ok ? '{"status":"accepted"}' : '{"error":"bad_hmac"}');
  });
}).listen(port, '127.0.0.1', () => process.stdout.write(`baseline listening on ${port}\n`));
