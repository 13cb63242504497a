import type { DomainEvent } from './domain-events';

/**
 * `shops.installation.changed.v1`: what the shops service announces about an installation, keyed
 * by the shop domain. `aggregateId` is the shop; `aggregateVersion` is
 * `<generation, 10 digits>:<revision, 10 digits>`, so comparing as text orders events (a
 * reinstall's generation beats anything of the one before). Never carries a token.
 */
export const SHOP_INSTALLATION_EVENT_TYPES = [
  'installation.installed',
  'installation.uninstalled',
  'installation.reauth_required',
  'installation.token_rotated',
] as const;

export type ShopInstallationEventType = (typeof SHOP_INSTALLATION_EVENT_TYPES)[number];

export type ShopInstallationStatus = 'installed' | 'uninstalled' | 'reauth_required';

export type ShopGrantType =
  'authorization_code' | 'token_exchange' | 'client_credentials' | 'legacy';

export interface ShopInstallationData {
  status: ShopInstallationStatus;
  scopes: string[];
  grantType: ShopGrantType;
  generation: number;
}

export type ShopInstallationChangedEvent = DomainEvent<
  ShopInstallationEventType,
  ShopInstallationData
>;

/** `generation:revision`, zero-padded so text order is numeric order. */
export function installationVersion(generation: number, revision: number): string {
  return `${String(generation).padStart(10, '0')}:${String(revision).padStart(10, '0')}`;
}

export class ShopInstallationEventError extends Error {
  override readonly name = 'ShopInstallationEventError';
}

const STATUSES: readonly string[] = ['installed', 'uninstalled', 'reauth_required'];
const GRANTS: readonly string[] = [
  'authorization_code',
  'token_exchange',
  'client_credentials',
  'legacy',
];

/**
 * Decodes and checks one message value of `shops.installation.changed.v1`. Throws
 * `ShopInstallationEventError` (a poison message: retrying cannot help) when it is not one.
 */
export function decodeShopInstallationChanged(
  value: Buffer | string | null,
): ShopInstallationChangedEvent {
  if (value === null) throw new ShopInstallationEventError('empty message');
  let event: Partial<ShopInstallationChangedEvent>;
  try {
    event = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as never;
  } catch {
    throw new ShopInstallationEventError('not JSON');
  }
  const fail = (what: string): never => {
    throw new ShopInstallationEventError(`not an installation event: ${what}`);
  };
  if (typeof event !== 'object' || event === null) fail('not an object');
  if (typeof event.eventId !== 'string' || event.eventId === '') fail('eventId');
  if (!SHOP_INSTALLATION_EVENT_TYPES.includes(event.type as ShopInstallationEventType))
    fail('type');
  if (typeof event.shopDomain !== 'string' || event.shopDomain === '') fail('shopDomain');
  if (event.aggregateId !== event.shopDomain) fail('aggregateId');
  if (typeof event.aggregateVersion !== 'string' || !/^\d{10}:\d{10}$/.test(event.aggregateVersion))
    fail('aggregateVersion');
  if (typeof event.occurredAt !== 'string') fail('occurredAt');
  const data = event.data as Partial<ShopInstallationData> | undefined;
  if (typeof data !== 'object' || data === null) fail('data');
  if (!STATUSES.includes(data!.status as string)) fail('data.status');
  if (!GRANTS.includes(data!.grantType as string)) fail('data.grantType');
  if (!Array.isArray(data!.scopes) || !data!.scopes.every((s) => typeof s === 'string'))
    fail('data.scopes');
  if (!Number.isInteger(data!.generation)) fail('data.generation');
  return event as ShopInstallationChangedEvent;
}
