import { isPrivacyWebhookTopic } from '@shopwire/contracts';
import { isJsonObject, shopifyId, type ShopifyJson } from '@shopwire/shopify';

/**
 * What a webhook on `shopify.compliance.v1` asks of the order service. Shopify's payloads:
 * customers/redact `{shop_id, shop_domain, customer{id,email,phone}, orders_to_redact}`,
 * customers/data_request `{…, orders_requested, data_request{id}}`, shop/redact
 * `{shop_id, shop_domain}`, app/uninstalled the shop object (`id`, `domain`, …).
 */
export type ComplianceRequest =
  | {
      kind: 'customers/redact';
      shopId: string | null;
      customer: CustomerRef;
      orderIds: string[];
    }
  | {
      kind: 'customers/data_request';
      shopId: string | null;
      customer: CustomerRef;
      orderIds: string[];
      dataRequestId: string | null;
    }
  | { kind: 'shop/redact'; shopId: string | null }
  | { kind: 'app/uninstalled'; shopId: string | null };

export type ComplianceKind = ComplianceRequest['kind'];

/** Who the request is about: matched by id, and also by email when Shopify gives one. */
export interface CustomerRef {
  id: string | null;
  email: string | null;
}

/** The payload cannot be acted on. Messages name fields only, never their values. */
export class CompliancePayloadError extends Error {
  override readonly name = 'CompliancePayloadError';
}

/** Whether the order service acts on this topic (others on the compliance topic are skipped). */
export function isHandledComplianceTopic(shopifyTopic: string): shopifyTopic is ComplianceKind {
  return isPrivacyWebhookTopic(shopifyTopic);
}

const ID = /^\d{1,19}$/;

function optionalId(value: ShopifyJson | undefined, field: string): string | null {
  if (value === undefined || value === null) return null;
  const digits = shopifyId(value);
  if (digits === null || !ID.test(digits) || BigInt(digits) > 9223372036854775807n) {
    throw new CompliancePayloadError(`${field} must be a positive integer id`);
  }
  return digits;
}

function optionalText(value: ShopifyJson | undefined, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > 1000) {
    throw new CompliancePayloadError(`${field} must be a string`);
  }
  return value;
}

function ids(value: ShopifyJson | undefined, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new CompliancePayloadError(`${field} must be an array`);
  return value.map((item, index) => {
    const id = optionalId(item, `${field}[${index}]`);
    if (id === null) throw new CompliancePayloadError(`${field}[${index}] must be an id`);
    return id;
  });
}

function customerRef(value: ShopifyJson | undefined): CustomerRef {
  if (value === undefined || value === null || !isJsonObject(value)) {
    throw new CompliancePayloadError('customer is required');
  }
  const ref = {
    id: optionalId(value.id, 'customer.id'),
    email: optionalText(value.email, 'customer.email'),
  };
  if (ref.id === null && ref.email === null) {
    throw new CompliancePayloadError('customer.id or customer.email is required');
  }
  return ref;
}

export function parseCompliancePayload(kind: ComplianceKind, json: ShopifyJson): ComplianceRequest {
  if (!isJsonObject(json)) throw new CompliancePayloadError('payload must be a JSON object');
  switch (kind) {
    case 'customers/redact':
      return {
        kind,
        shopId: optionalId(json.shop_id, 'shop_id'),
        customer: customerRef(json.customer),
        orderIds: ids(json.orders_to_redact, 'orders_to_redact'),
      };
    case 'customers/data_request': {
      const request = json.data_request;
      return {
        kind,
        shopId: optionalId(json.shop_id, 'shop_id'),
        customer: customerRef(json.customer),
        orderIds: ids(json.orders_requested, 'orders_requested'),
        dataRequestId:
          request !== undefined && request !== null && isJsonObject(request)
            ? optionalId(request.id, 'data_request.id')
            : null,
      };
    }
    case 'shop/redact':
      return { kind, shopId: optionalId(json.shop_id, 'shop_id') };
    case 'app/uninstalled':
      return { kind, shopId: optionalId(json.id, 'id') };
  }
}
