import { webhookTopicFromEnum } from '@shopwire/contracts';
import type { ActualSubscription, DesiredSubscription } from './subscription-plan';

/**
 * The Admin GraphQL documents and the parsing of their answers. `uri` is the newer field;
 * `endpoint { … callbackUrl }` is read too, for a shop answering an older shape.
 */
const FIELDS = `
  id
  topic
  uri
  format
  includeFields
  filter
  apiVersion { handle }
  endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } }
`;

export const LIST_SUBSCRIPTIONS = `query WebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    edges { cursor node { ${FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const CREATE_SUBSCRIPTION = `mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { ${FIELDS} }
    userErrors { field message }
  }
}`;

export const UPDATE_SUBSCRIPTION = `mutation WebhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
    webhookSubscription { ${FIELDS} }
    userErrors { field message }
  }
}`;

export const DELETE_SUBSCRIPTION = `mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`;

export interface UserError {
  field: string[] | null;
  message: string;
}

/** Thrown when an answer does not have the shape asked for (a bug or a different API). */
export class SubscriptionReplyError extends Error {
  override readonly name = 'SubscriptionReplyError';
}

type Json = unknown;
const obj = (v: Json): Record<string, Json> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Json>) : null;
const str = (v: Json): string | null => (typeof v === 'string' ? v : null);

/** One `WebhookSubscription` node → the plan's shape. */
export function parseSubscription(node: Json): ActualSubscription {
  const n = obj(node);
  const id = str(n?.id);
  const topicEnum = str(n?.topic);
  if (!n || !id || !topicEnum)
    throw new SubscriptionReplyError('webhook subscription without id or topic');
  const endpoint = obj(n.endpoint);
  return {
    id,
    topic: webhookTopicFromEnum(topicEnum) ?? topicEnum,
    uri: str(n.uri) ?? str(endpoint?.callbackUrl),
    apiVersion: str(obj(n.apiVersion)?.handle),
    format: str(n.format),
    includeFields: Array.isArray(n.includeFields)
      ? n.includeFields.filter((f): f is string => typeof f === 'string')
      : [],
    filter: str(n.filter) || null,
  };
}

export interface SubscriptionPage {
  subscriptions: ActualSubscription[];
  nextCursor: string | null;
}

export function parsePage(data: Json): SubscriptionPage {
  const connection = obj(obj(data)?.webhookSubscriptions);
  if (!connection || !Array.isArray(connection.edges))
    throw new SubscriptionReplyError('webhookSubscriptions missing from the answer');
  const subscriptions = connection.edges.map((edge) => parseSubscription(obj(edge)?.node));
  const pageInfo = obj(connection.pageInfo);
  const next = pageInfo?.hasNextPage === true ? str(pageInfo.endCursor) : null;
  return { subscriptions, nextCursor: next };
}

export interface MutationResult {
  subscription: ActualSubscription | null;
  userErrors: UserError[];
}

/** `webhookSubscriptionCreate` / `…Update` payload. */
export function parseMutation(data: Json, field: string): MutationResult {
  const payload = obj(obj(data)?.[field]);
  if (!payload) throw new SubscriptionReplyError(`${field} missing from the answer`);
  const node = payload.webhookSubscription;
  return {
    subscription: node ? parseSubscription(node) : null,
    userErrors: parseUserErrors(payload.userErrors),
  };
}

export function parseDelete(data: Json): { deletedId: string | null; userErrors: UserError[] } {
  const payload = obj(obj(data)?.webhookSubscriptionDelete);
  if (!payload)
    throw new SubscriptionReplyError('webhookSubscriptionDelete missing from the answer');
  return {
    deletedId: str(payload.deletedWebhookSubscriptionId),
    userErrors: parseUserErrors(payload.userErrors),
  };
}

function parseUserErrors(value: Json): UserError[] {
  if (!Array.isArray(value)) return [];
  return value.map((e) => {
    const error = obj(e);
    const field = Array.isArray(error?.field)
      ? error.field.filter((f): f is string => typeof f === 'string')
      : null;
    return { field, message: str(error?.message) ?? 'unknown error' };
  });
}

/**
 * `WebhookSubscriptionInput`. No API version field exists: a subscription made through the API
 * takes the version of the call, so the caller's client must use the declared version.
 */
export function subscriptionInput(desired: DesiredSubscription): Record<string, unknown> {
  return {
    uri: desired.uri,
    format: desired.format,
    includeFields: desired.includeFields.length > 0 ? [...desired.includeFields] : null,
    filter: desired.filter,
  };
}
