import { decodeOrderWebhook } from '@shopwire/contracts';
import { withoutCustomerData } from './order-payload';

describe('withoutCustomerData', () => {
  it('keeps the order and the customer id, drops email, names and phone', () => {
    const decoded = decodeOrderWebhook({
      shopifyTopic: 'orders/updated',
      payload: Buffer.from(
        '{"id": 1, "updated_at": "2026-11-01T10:00:00Z", "email": "jon@example.com", "customer": {"id": 9, "email": "jon@example.com", "first_name": "Jon", "last_name": "Snow", "phone": "555-0100"}}',
      ),
    });
    if (!decoded.ok || !decoded.value) throw new Error('not an order');
    const order = decoded.value;
    const stripped = withoutCustomerData(order);
    expect(JSON.stringify(stripped)).not.toMatch(/jon|snow|555/i);
    expect(stripped.customer?.id).toBe('9');
    expect(stripped.id).toBe('1');
  });
});
