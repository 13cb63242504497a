import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPLIANCE_WEBHOOK_TOPICS, adminApiWebhookTopics } from '@shopwire/contracts';
import { renderWebhooksToml } from './app-toml';

const EXAMPLE = join(__dirname, '../../../deploy/shopify.app.toml.example');
const EXAMPLE_ENDPOINT = 'https://shopwire.example.com/webhooks/shopify';

describe('renderWebhooksToml', () => {
  const toml = renderWebhooksToml({ endpoint: EXAMPLE_ENDPOINT });

  it('declares the API version and the compliance topics, with the endpoint', () => {
    expect(toml).toContain('[webhooks]\napi_version = "2026-01"\n');
    expect(toml).toContain(
      `[[webhooks.subscriptions]]\ncompliance_topics = [ ${COMPLIANCE_WEBHOOK_TOPICS.map((t) => `"${t}"`).join(', ')} ]\nuri = "${EXAMPLE_ENDPOINT}"`,
    );
  });

  it('lists the per-shop topics commented out by default, and live when asked', () => {
    const topics = adminApiWebhookTopics().map((t) => `"${t.topic}"`);
    const live = renderWebhooksToml({ endpoint: EXAMPLE_ENDPOINT, appSubscriptions: true });
    const topicsLine = (text: string) =>
      text.split('\n').find((l) => l.includes('topics = [ "orders/'));
    expect(topicsLine(toml)).toBe(`# topics = [ ${topics.join(', ')} ]`);
    expect(topicsLine(live)).toBe(`topics = [ ${topics.join(', ')} ]`);
  });

  it('quotes values as TOML basic strings', () => {
    expect(renderWebhooksToml({ endpoint: 'https://x.example.com/a"b' })).toContain(
      'uri = "https://x.example.com/a\\"b"',
    );
  });

  it('matches the committed deploy/shopify.app.toml.example (regenerate it with the ops command)', () => {
    const example = readFileSync(EXAMPLE, 'utf8');
    expect(example).toContain(toml);
  });
});
