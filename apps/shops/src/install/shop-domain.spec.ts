import { parseShopDomain } from './shop-domain';

describe('parseShopDomain', () => {
  it.each([
    ['acme.myshopify.com', 'acme.myshopify.com'],
    ['acme-2.myshopify.com', 'acme-2.myshopify.com'],
    ['0shop.myshopify.com', '0shop.myshopify.com'],
    ['Acme-Store.MyShopify.com', 'acme-store.myshopify.com'],
  ])('accepts %s as %s', (input, expected) => {
    expect(parseShopDomain(input)).toBe(expected);
  });

  it.each([
    '',
    'acme',
    'myshopify.com',
    '.myshopify.com',
    '-acme.myshopify.com',
    'acme.myshopify.com.evil.com',
    'evil.com/acme.myshopify.com',
    'acme.myshopify.com/',
    'https://acme.myshopify.com',
    'acme.myshopify.com:443',
    ' acme.myshopify.com',
    'acme.myshopify.com ',
    'acme.myshopify.com\n',
    'ac_me.myshopify.com',
    'a.b.myshopify.com',
    'acme.myshopify.io',
    'acme.shopify.com',
    'acme%2emyshopify.com',
    'ácme.myshopify.com',
    `${'a'.repeat(64)}.myshopify.com`,
  ])('refuses %j', (input) => {
    expect(parseShopDomain(input)).toBeNull();
  });

  it('accepts the longest handle DNS allows', () => {
    expect(parseShopDomain(`${'a'.repeat(63)}.myshopify.com`)).toBe(
      `${'a'.repeat(63)}.myshopify.com`,
    );
  });

  it.each([undefined, null, 42, ['acme.myshopify.com'], { shop: 'acme.myshopify.com' }])(
    'refuses a non-string %j',
    (input) => {
      expect(parseShopDomain(input)).toBeNull();
    },
  );
});
