import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { RetriesExhaustedError } from '@shopwire/resilience';
import { ShopifyAdminError } from '@shopwire/shopify-admin';
import { NoShopAccessError } from '../admin-api/sync-admin-client';
import { fromOrigin } from './catalog-http';

describe('fromOrigin', () => {
  it('passes answers through', async () => {
    await expect(fromOrigin(Promise.resolve('x'))).resolves.toBe('x');
  });

  it('a shop without a token is a 404; Shopify failing for now a 503; anything else as is', async () => {
    await expect(
      fromOrigin(Promise.reject(new NoShopAccessError('a.myshopify.com'))),
    ).rejects.toBeInstanceOf(NotFoundException);
    const outage = new ShopifyAdminError('HTTP_5XX', 'bad gateway', {
      transient: true,
      status: 502,
    });
    await expect(
      fromOrigin(Promise.reject(new RetriesExhaustedError(3, outage))),
    ).rejects.toBeInstanceOf(ServiceUnavailableException);
    const open = Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' });
    await expect(fromOrigin(Promise.reject(open))).rejects.toBeInstanceOf(
      ServiceUnavailableException,
    );
    const refused = new ShopifyAdminError('GRAPHQL', 'Field does not exist', { transient: false });
    await expect(fromOrigin(Promise.reject(refused))).rejects.toBe(refused);
  });
});
