import { variantDocument } from './admin-api-variant-origin';
import { metafieldsDocument } from './metafields-origin';
import { pricingRulesDocument } from './pricing-rules-origin';
import { storeConfigDocument } from './store-config-origin';

describe('catalog documents from Admin API replies', () => {
  it('a variant: ids exact as strings, the mirror’s shape, nothing about inventory levels', () => {
    const doc = variantDocument({
      legacyResourceId: '9007199254740993',
      sku: 'MUG-1',
      price: '12.00',
      product: { legacyResourceId: '820982911946154508' },
      inventoryItem: { legacyResourceId: 42 },
    });
    expect(doc?.json).toBe(
      '{"id":"9007199254740993","product_id":"820982911946154508","sku":"MUG-1","price":"12.00","inventory_item_id":"42"}',
    );
    expect(variantDocument({})).toBeNull();
  });

  it('metafields: values kept as Shopify’s strings, truncation said', () => {
    const doc = metafieldsDocument({
      legacyResourceId: '820982911946154508',
      metafields: {
        nodes: [
          {
            namespace: 'reviews',
            key: 'rating',
            type: 'rating',
            value: '{"value":"4.5","scale_min":"1.0","scale_max":"5.0"}',
          },
        ],
        pageInfo: { hasNextPage: true },
      },
    });
    expect(doc?.id).toBe('820982911946154508');
    expect(JSON.parse(doc!.json)).toEqual({
      product_id: '820982911946154508',
      metafields: [
        {
          namespace: 'reviews',
          key: 'rating',
          type: 'rating',
          value: '{"value":"4.5","scale_min":"1.0","scale_max":"5.0"}',
        },
      ],
      truncated: true,
    });
    expect(metafieldsDocument({})).toBeNull();
  });

  it('store config: snake_case settings', () => {
    expect(
      JSON.parse(
        storeConfigDocument({
          name: 'Acme',
          myshopifyDomain: 'acme.myshopify.com',
          currencyCode: 'EUR',
          ianaTimezone: 'Europe/Berlin',
          weightUnit: 'KILOGRAMS',
          taxesIncluded: true,
          plan: { displayName: 'Advanced', shopifyPlus: false },
        }),
      ),
    ).toEqual({
      shop: 'acme.myshopify.com',
      name: 'Acme',
      currency_code: 'EUR',
      iana_timezone: 'Europe/Berlin',
      weight_unit: 'KILOGRAMS',
      taxes_included: true,
      plan: { display_name: 'Advanced', shopify_plus: false },
    });
  });

  it('pricing rules: both kinds, value as decimal strings, unknown kinds left out', () => {
    const json = pricingRulesDocument([
      {
        nodes: [
          {
            id: 'gid://shopify/DiscountAutomaticNode/820982911946154508',
            discount: {
              __typename: 'DiscountAutomaticBasic',
              title: '10% off',
              status: 'ACTIVE',
              summary: '10% off each eligible item',
              startsAt: '2026-10-28T00:00:00Z',
              endsAt: null,
              customerGets: { value: { __typename: 'DiscountPercentage', percentage: 0.1 } },
            },
          },
          {
            id: 'gid://shopify/DiscountAutomaticNode/2',
            discount: { __typename: 'DiscountAutomaticBxgy' },
          },
        ],
        pageInfo: { hasNextPage: false },
      },
      {
        nodes: [
          {
            id: 'gid://shopify/DiscountCodeNode/3',
            discount: {
              __typename: 'DiscountCodeBasic',
              title: 'Five off',
              status: 'SCHEDULED',
              summary: '5.00 EUR off',
              startsAt: '2027-01-01T00:00:00Z',
              endsAt: '2027-01-02T00:00:00Z',
              customerGets: {
                value: {
                  __typename: 'DiscountAmount',
                  amount: { amount: '5.00', currencyCode: 'EUR' },
                  appliesOnEachItem: true,
                },
              },
              codes: { nodes: [{ code: 'FIVE' }] },
            },
          },
        ],
      },
    ]);
    expect(JSON.parse(json)).toEqual({
      discounts: [
        {
          id: '820982911946154508',
          admin_graphql_api_id: 'gid://shopify/DiscountAutomaticNode/820982911946154508',
          method: 'automatic',
          title: '10% off',
          status: 'active',
          summary: '10% off each eligible item',
          starts_at: '2026-10-28T00:00:00Z',
          ends_at: null,
          value: { type: 'percentage', percentage: '0.1' },
          code: null,
        },
        {
          id: '3',
          admin_graphql_api_id: 'gid://shopify/DiscountCodeNode/3',
          method: 'code',
          title: 'Five off',
          status: 'scheduled',
          summary: '5.00 EUR off',
          starts_at: '2027-01-01T00:00:00Z',
          ends_at: '2027-01-02T00:00:00Z',
          value: {
            type: 'fixed_amount',
            amount: '5.00',
            currency_code: 'EUR',
            applies_on_each_item: true,
          },
          code: 'FIVE',
        },
      ],
      truncated: false,
    });
  });
});
