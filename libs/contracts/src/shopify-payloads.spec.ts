import {
  decodeInventoryItemUpdate,
  decodeInventoryLevelUpdate,
  decodeProductDeleted,
  decodeProductUpdate,
} from './shopify-payloads';

const body = (text: string | Buffer) => ({
  payload: Buffer.isBuffer(text) ? text : Buffer.from(text),
});
const GARBAGE = Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x7b]);

describe('decodeInventoryLevelUpdate', () => {
  it('keeps ids above 2^53 exactly', () => {
    const level = decodeInventoryLevelUpdate(
      body(
        '{"inventory_item_id": 9007199254740993, "location_id": 820982911946154508, "available": 7, "updated_at": "2026-11-27T10:00:00-05:00"}',
      ),
    );
    expect(level).toEqual({
      ok: true,
      value: {
        inventoryItemId: '9007199254740993',
        locationId: '820982911946154508',
        available: 7,
        updatedAt: '2026-11-27T10:00:00-05:00',
      },
    });
  });

  it.each([
    [
      '{"location_id": 1, "available": 1, "updated_at": "2026-11-27T10:00:00Z"}',
      'payload',
      /inventory_item_id is required/,
    ],
    [
      '{"inventory_item_id": 1, "location_id": 1, "available": null, "updated_at": "2026-11-27T10:00:00Z"}',
      'payload',
      /available/,
    ],
    [
      '{"inventory_item_id": 1, "location_id": 1, "available": 1.5, "updated_at": "2026-11-27T10:00:00Z"}',
      'payload',
      /available/,
    ],
    [
      '{"inventory_item_id": 1, "location_id": 1, "available": 1}',
      'payload',
      /updated_at is required/,
    ],
    [
      '{"inventory_item_id": 1, "location_id": 1, "available": 1, "updated_at": "27/11/2026"}',
      'payload',
      /updated_at must be an ISO 8601 timestamp/,
    ],
    [
      '{"inventory_item_id": -1, "location_id": 1, "available": 1, "updated_at": "2026-11-27T10:00:00Z"}',
      'payload',
      /positive/,
    ],
    ['[]', 'payload', /JSON object/],
    ['{"inventory_item_id": ', 'json', /not valid JSON/],
    [GARBAGE, 'json', /not valid JSON/],
  ])('refuses %s', (text, reason, detail) => {
    expect(decodeInventoryLevelUpdate(body(text))).toEqual({
      ok: false,
      reason,
      detail: expect.stringMatching(detail),
    });
  });
});

describe('decodeInventoryItemUpdate', () => {
  const raw = (sku: string) =>
    body(`{"id": 808950810, "sku": ${sku}, "updated_at": "2026-11-27T10:00:00Z"}`);

  it('reads the sku, treating an empty one as none', () => {
    expect(decodeInventoryItemUpdate(raw('"IPOD-1"'))).toMatchObject({
      ok: true,
      value: { inventoryItemId: '808950810', sku: 'IPOD-1' },
    });
    expect(decodeInventoryItemUpdate(raw('""'))).toMatchObject({ value: { sku: null } });
    expect(decodeInventoryItemUpdate(raw('null'))).toMatchObject({ value: { sku: null } });
  });

  it.each([
    ['a sku that is not text', raw('5'), 'payload'],
    ['no id', body('{"sku":"A","updated_at":"2026-11-27T10:00:00Z"}'), 'payload'],
    ['garbage bytes', body(GARBAGE), 'json'],
  ])('refuses %s', (_what, envelope, reason) => {
    expect(decodeInventoryItemUpdate(envelope)).toMatchObject({ ok: false, reason });
  });
});

describe('decodeProductUpdate', () => {
  it('reads a product with exact ids and decimal prices, leaving out variants without an id', () => {
    const text =
      '{"id":9007199254740995,"title":"Mug","handle":"mug","status":"active","updated_at":"2026-11-01T00:00:00-05:00",' +
      '"variants":[{"id":9007199254740997,"sku":"M","price":"12.50","inventory_item_id":9007199254740999},{"id":"x"},' +
      '{"id":5,"price":12.5}]}';
    expect(decodeProductUpdate(body(text))).toEqual({
      ok: true,
      value: {
        id: '9007199254740995',
        title: 'Mug',
        handle: 'mug',
        status: 'active',
        updatedAt: '2026-11-01T00:00:00-05:00',
        variants: [
          { id: '9007199254740997', sku: 'M', price: '12.50', inventoryItemId: '9007199254740999' },
          { id: '5', sku: null, price: null, inventoryItemId: null },
        ],
      },
    });
  });

  it.each([
    ['no updated_at', body('{"id":1}'), 'payload'],
    [
      'an id that is not one',
      body('{"id":"gid://shopify/Product/1","updated_at":"2026-11-01T00:00:00Z"}'),
      'payload',
    ],
    ['not an object', body('"product"'), 'payload'],
    ['garbage bytes', body(GARBAGE), 'json'],
  ])('refuses %s', (_what, envelope, reason) => {
    expect(decodeProductUpdate(envelope)).toMatchObject({ ok: false, reason });
  });
});

describe('decodeProductDeleted', () => {
  it('reads the id, exactly', () => {
    expect(decodeProductDeleted(body('{"id":9007199254740995}'))).toEqual({
      ok: true,
      value: { productId: '9007199254740995' },
    });
  });

  it.each([
    ['no id', body('{}'), 'payload'],
    ['garbage bytes', body(GARBAGE), 'json'],
  ])('refuses %s', (_what, envelope, reason) => {
    expect(decodeProductDeleted(envelope)).toMatchObject({ ok: false, reason });
  });
});
