import type { OrderData } from '@shopwire/contracts';
import { orderIdentities, withoutPersonalData } from './order-data';

const order = {
  id: '1',
  email: 'jon@example.com',
  customer: { id: '9', email: 'jon@example.com', firstName: 'Jon', lastName: 'Snow', phone: '555' },
  totalPrice: '10.00',
} as unknown as OrderData;

describe('withoutPersonalData', () => {
  it('drops email, names and phone, keeps the order and the customer id', () => {
    const stripped = withoutPersonalData(order);
    expect(JSON.stringify(stripped)).not.toMatch(/jon|Snow|555/i);
    expect(stripped.customer?.id).toBe('9');
    expect(stripped.totalPrice).toBe('10.00');
    expect(withoutPersonalData({ ...order, customer: null }).customer).toBeNull();
  });

  it('names both the order email and the customer', () => {
    expect(orderIdentities(order)).toEqual([
      { customerId: null, email: 'jon@example.com' },
      { customerId: '9', email: 'jon@example.com' },
    ]);
  });
});
