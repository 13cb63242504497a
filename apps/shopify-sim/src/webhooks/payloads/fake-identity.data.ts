/**
 * Word lists for fake but plausible customers, addresses and products. Every email uses the
 * reserved `example.com`/`example.org` domains and phone numbers come from ranges set aside for
 * fiction, so simulated traffic can never reach a real person.
 */
// prettier-ignore
export const FIRST_NAMES = [
  'Ava', 'Liam', 'Noah', 'Emma', 'Olivia', 'Lucas', 'Mia', 'Amelia', 'Ethan', 'Harper', 'Sofia',
  'Mateo', 'Chloe', 'Leo', 'Isla', 'Hugo', 'Aisha', 'Kenji', 'Priya', 'Tomás', 'Zoë', 'Jonas',
  'Fatima', 'Ingrid', 'Marek', 'Nadia', 'Oskar', 'Yara', 'Diego', 'Mei',
] as const;

// prettier-ignore
export const LAST_NAMES = [
  'Smith', 'Garcia', 'Nguyen', 'Müller', 'Rossi', 'Kowalski', 'Johnson', 'Dubois', 'Silva',
  'Tanaka', 'Okafor', 'Jensen', 'Brown', 'Martin', 'Novak', 'Patel', 'Andersson', 'Kim', 'Lopez',
  "O'Brien", 'Fischer', 'Moreau', 'Costa', 'Ivanova', 'Hughes',
] as const;

export interface FakeCity {
  city: string;
  province: string;
  provinceCode: string;
  country: string;
  countryCode: string;
  zip: () => string;
  /** Phone prefix from a range reserved for drama/fiction. */
  phonePrefix: string;
}

// prettier-ignore
export const STREETS = [
  'Maple Avenue', 'Harbour Street', 'Elm Road', 'Station Road', 'Park Lane', 'Mill Street',
  'Cedar Court', 'Queen Street', 'Orchard Way', 'Bridge Road', 'Lakeview Drive', 'Church Lane',
] as const;

// prettier-ignore
export const CITIES: readonly Omit<FakeCity, 'zip'>[] = [
  { city: 'Ottawa', province: 'Ontario', provinceCode: 'ON', country: 'Canada', countryCode: 'CA', phonePrefix: '+1613555' },
  { city: 'Portland', province: 'Oregon', provinceCode: 'OR', country: 'United States', countryCode: 'US', phonePrefix: '+1503555' },
  { city: 'Austin', province: 'Texas', provinceCode: 'TX', country: 'United States', countryCode: 'US', phonePrefix: '+1512555' },
  { city: 'Boston', province: 'Massachusetts', provinceCode: 'MA', country: 'United States', countryCode: 'US', phonePrefix: '+1617555' },
  { city: 'Vancouver', province: 'British Columbia', provinceCode: 'BC', country: 'Canada', countryCode: 'CA', phonePrefix: '+1604555' },
  { city: 'Leeds', province: 'England', provinceCode: 'ENG', country: 'United Kingdom', countryCode: 'GB', phonePrefix: '+44113496' },
];

// prettier-ignore
export const PRODUCT_ADJECTIVES = [
  'Classic', 'Organic', 'Vintage', 'Lightweight', 'Everyday', 'Recycled', 'Handmade', 'Premium',
  'Waxed', 'Merino', 'Ceramic', 'Bamboo',
] as const;

// prettier-ignore
export const PRODUCT_NOUNS: readonly { noun: string; type: string; priceCents: [number, number]; grams: number }[] = [
  { noun: 'Tee', type: 'Shirts', priceCents: [1800, 4500], grams: 180 },
  { noun: 'Hoodie', type: 'Sweatshirts', priceCents: [4900, 9900], grams: 650 },
  { noun: 'Tote Bag', type: 'Bags', priceCents: [1500, 3900], grams: 300 },
  { noun: 'Mug', type: 'Kitchen', priceCents: [1200, 2800], grams: 350 },
  { noun: 'Beanie', type: 'Hats', priceCents: [1900, 3500], grams: 90 },
  { noun: 'Socks', type: 'Socks', priceCents: [900, 1900], grams: 60 },
  { noun: 'Backpack', type: 'Bags', priceCents: [6900, 15900], grams: 900 },
  { noun: 'Candle', type: 'Home', priceCents: [1600, 4200], grams: 400 },
  { noun: 'Notebook', type: 'Stationery', priceCents: [800, 2400], grams: 250 },
  { noun: 'Water Bottle', type: 'Outdoor', priceCents: [2200, 4800], grams: 320 },
];

export const VENDORS = [
  'Northwind Goods',
  'Acme Outfitters',
  'Blue Fern Co',
  'Harbor & Pine',
] as const;

export const SIZE_OPTIONS = ['XS', 'S', 'M', 'L', 'XL'] as const;
export const COLOR_OPTIONS = ['Black', 'Oat', 'Forest', 'Navy', 'Rust'] as const;

export const CANCEL_REASONS = ['customer', 'fraud', 'inventory', 'declined', 'other'] as const;

export const ORDER_TAGS = [
  'wholesale',
  'vip',
  'gift',
  'first-order',
  'subscription',
  'bfcm',
] as const;
