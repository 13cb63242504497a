import type { SeededRandom } from '../../random/seeded-random';
import { CITIES, FIRST_NAMES, LAST_NAMES, STREETS } from './fake-identity.data';
import { gid, shopifyTime, slug } from './payload-format';
import { shopifyBigId, type ShopProfile } from './shop-profile';
import type { JsonObject } from './shopify-json.writer';

export interface AddressRecord {
  id: bigint;
  firstName: string;
  lastName: string;
  address1: string;
  address2: string | null;
  city: string;
  province: string;
  provinceCode: string;
  country: string;
  countryCode: string;
  zip: string;
  phone: string;
}

export interface CustomerRecord {
  id: bigint;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  createdAt: Date;
  updatedAt: Date;
  address: AddressRecord;
}

function zipFor(countryCode: string, rng: SeededRandom): string {
  switch (countryCode) {
    case 'CA':
      return `K${rng.int(1, 9)}${rng.pick(['A', 'B', 'P', 'R'])} ${rng.int(1, 9)}${rng.pick(['C', 'E', 'G'])}${rng.int(1, 9)}`;
    case 'GB':
      return `LS${rng.int(1, 28)} ${rng.int(1, 9)}${rng.pick(['AB', 'DQ', 'JT'])}`;
    default:
      return String(rng.int(10000, 99999));
  }
}

export function createCustomerRecord(rng: SeededRandom, at: Date): CustomerRecord {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const place = rng.pick(CITIES);
  const phone = `${place.phonePrefix}${String(rng.int(100, 199)).padStart(4, '0')}`;
  const id = shopifyBigId(rng);
  return {
    id,
    email: `${slug(firstName)}.${slug(lastName)}.${rng.int(1, 9999)}@example.com`,
    firstName,
    lastName,
    phone,
    createdAt: at,
    updatedAt: at,
    address: {
      id: shopifyBigId(rng),
      firstName,
      lastName,
      address1: `${rng.int(1, 2400)} ${rng.pick(STREETS)}`,
      address2: rng.chance(0.25) ? `Apt ${rng.int(1, 40)}` : null,
      city: place.city,
      province: place.province,
      provinceCode: place.provinceCode,
      country: place.country,
      countryCode: place.countryCode,
      zip: zipFor(place.countryCode, rng),
      phone,
    },
  };
}

/** The address shape used for `billing_address`/`shipping_address` on orders. */
export function renderOrderAddress(address: AddressRecord): JsonObject {
  return {
    first_name: address.firstName,
    address1: address.address1,
    phone: address.phone,
    city: address.city,
    zip: address.zip,
    province: address.province,
    country: address.country,
    last_name: address.lastName,
    address2: address.address2,
    company: null,
    name: `${address.firstName} ${address.lastName}`,
    country_code: address.countryCode,
    province_code: address.provinceCode,
  };
}

function renderDefaultAddress(customer: CustomerRecord): JsonObject {
  const a = customer.address;
  return {
    id: a.id,
    customer_id: customer.id,
    first_name: a.firstName,
    last_name: a.lastName,
    company: null,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    province: a.province,
    country: a.country,
    zip: a.zip,
    phone: a.phone,
    name: `${a.firstName} ${a.lastName}`,
    province_code: a.provinceCode,
    country_code: a.countryCode,
    country_name: a.country,
    default: true,
  };
}

/** customers/create body (and the `customer` object embedded in orders). */
export function renderCustomer(customer: CustomerRecord, shop: ShopProfile): JsonObject {
  return {
    id: customer.id,
    email: customer.email,
    created_at: shopifyTime(customer.createdAt, shop.utcOffsetMinutes),
    updated_at: shopifyTime(customer.updatedAt, shop.utcOffsetMinutes),
    first_name: customer.firstName,
    last_name: customer.lastName,
    state: 'enabled',
    note: null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: customer.phone,
    currency: shop.currency,
    tax_exemptions: [],
    admin_graphql_api_id: gid('Customer', customer.id),
    default_address: renderDefaultAddress(customer),
  };
}
