import { decodeFields, decodeJson, FieldError, type Decoded } from './decoding';
import { readDomainEvent, type DomainEvent } from './domain-events';

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

const STATUSES: readonly string[] = ['installed', 'uninstalled', 'reauth_required'];
const GRANTS: readonly string[] = [
  'authorization_code',
  'token_exchange',
  'client_credentials',
  'legacy',
];
const VERSION = /^\d{10}:\d{10}$/;

const isInstallationType = (type: unknown): type is ShopInstallationEventType =>
  SHOP_INSTALLATION_EVENT_TYPES.includes(type as ShopInstallationEventType);

/**
 * Reads one message value of `shops.installation.changed.v1`. Refused with 'event' (or 'json')
 * when it is not one — a poison message: retrying cannot help.
 */
export function decodeShopInstallationChanged(
  value: Buffer | string | null | undefined,
): Decoded<ShopInstallationChangedEvent> {
  const json = decodeJson(value);
  if (!json.ok) return json;
  return decodeFields('event', () => {
    const event = readDomainEvent(json.value, isInstallationType, (v) => {
      if (typeof v !== 'string' || !VERSION.test(v))
        throw new FieldError('aggregateVersion must be generation:revision');
      return v;
    });
    if (event.aggregateId !== event.shopDomain)
      throw new FieldError('aggregateId must be the shop domain');
    const data = event.data;
    if (!STATUSES.includes(data.status as string)) throw new FieldError('data.status is unknown');
    if (!GRANTS.includes(data.grantType as string))
      throw new FieldError('data.grantType is unknown');
    if (!Array.isArray(data.scopes) || !data.scopes.every((s) => typeof s === 'string'))
      throw new FieldError('data.scopes must be an array of strings');
    if (!Number.isInteger(data.generation))
      throw new FieldError('data.generation must be an integer');
    return {
      ...event,
      data: {
        status: data.status as ShopInstallationStatus,
        scopes: data.scopes as string[],
        grantType: data.grantType as ShopGrantType,
        generation: data.generation as number,
      },
    };
  });
}
