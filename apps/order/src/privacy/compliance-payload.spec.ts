import { parseShopifyJson } from '@shopwire/shopify';
import {
  CompliancePayloadError,
  isHandledComplianceTopic,
  parseCompliancePayload,
} from './compliance-payload';

const json = (text: string) => parseShopifyJson(text);

describe('parseCompliancePayload', () => {
  it('reads customers/redact with ids beyond 2^53 exact', () => {
    const request = parseCompliancePayload(
      'customers/redact',
      json(
        '{"shop_id": 954889, "shop_domain": "a.myshopify.com", "customer": {"id": 820982911946154508, "email": "jon@example.com", "phone": "555-625-1199"}, "orders_to_redact": [299938, 9007199254740993]}',
      ),
    );
    expect(request).toEqual({
      kind: 'customers/redact',
      shopId: '954889',
      customer: { id: '820982911946154508', email: 'jon@example.com' },
      orderIds: ['299938', '9007199254740993'],
    });
  });

  it('reads customers/data_request with its request id', () => {
    expect(
      parseCompliancePayload(
        'customers/data_request',
        json(
          '{"shop_id": 1, "customer": {"id": 2}, "orders_requested": [3], "data_request": {"id": 9999}}',
        ),
      ),
    ).toEqual({
      kind: 'customers/data_request',
      shopId: '1',
      customer: { id: '2', email: null },
      orderIds: ['3'],
      dataRequestId: '9999',
    });
  });

  it('reads shop/redact and app/uninstalled', () => {
    expect(parseCompliancePayload('shop/redact', json('{"shop_id": 954889}'))).toEqual({
      kind: 'shop/redact',
      shopId: '954889',
    });
    expect(
      parseCompliancePayload(
        'app/uninstalled',
        json('{"id": 954889, "domain": "a.myshopify.com"}'),
      ),
    ).toEqual({
      kind: 'app/uninstalled',
      shopId: '954889',
    });
  });

  it.each([
    ['customers/redact', '{"shop_id": 1}', /customer is required/],
    ['customers/redact', '{"customer": {"phone": "555"}}', /customer.id or customer.email/],
    ['customers/redact', '{"customer": {"id": "x"}}', /customer.id must be/],
    ['customers/redact', '{"customer": {"id": 1}, "orders_to_redact": 5}', /must be an array/],
    ['shop/redact', '[]', /JSON object/],
  ] as const)('%s %s is refused', (kind, text, message) => {
    expect(() => parseCompliancePayload(kind, json(text))).toThrow(CompliancePayloadError);
    expect(() => parseCompliancePayload(kind, json(text))).toThrow(message);
  });

  it('never quotes a value', () => {
    expect(() =>
      parseCompliancePayload('customers/redact', json('{"customer": {"email": 42}}')),
    ).toThrow(/^customer.email must be a string$/);
  });
});

describe('isHandledComplianceTopic', () => {
  it('knows the four topics', () => {
    for (const t of [
      'customers/redact',
      'customers/data_request',
      'shop/redact',
      'app/uninstalled',
    ]) {
      expect(isHandledComplianceTopic(t)).toBe(true);
    }
    expect(isHandledComplianceTopic('shop/update')).toBe(false);
  });
});
