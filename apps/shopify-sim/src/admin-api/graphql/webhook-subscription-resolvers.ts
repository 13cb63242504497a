import { GraphQLError } from 'graphql';
import {
  parseSubscriptionGid,
  subscriptionGid,
  topicEnumOf,
  type SubscriptionFormat,
  type WebhookSubscriptionInput,
  type WebhookSubscriptionRecord,
  type WebhookSubscriptionStore,
} from '../../installs/webhook-subscription-store';
import type { AdminContext } from './admin-context';
import { arrayList, paginate, type ConnectionArgs } from './connection';
import { isoTime } from './admin-views';

function endpointView(uri: string) {
  if (uri.startsWith('pubsub://')) {
    const [project = '', topic = ''] = uri.slice('pubsub://'.length).split(':');
    return { __typename: 'WebhookPubSubEndpoint', pubSubProject: project, pubSubTopic: topic };
  }
  if (uri.startsWith('arn:')) return { __typename: 'WebhookEventBridgeEndpoint', arn: uri };
  return { __typename: 'WebhookHttpEndpoint', callbackUrl: uri };
}

export function webhookSubscriptionView(record: WebhookSubscriptionRecord) {
  return {
    __typename: 'WebhookSubscription',
    id: subscriptionGid(record.id),
    legacyResourceId: String(record.id),
    topic: topicEnumOf(record.topic),
    uri: record.uri,
    // Shopify fills the deprecated field for non-http endpoints too.
    callbackUrl: record.uri,
    endpoint: endpointView(record.uri),
    apiVersion: { handle: record.apiVersion, displayName: record.apiVersion, supported: true },
    format: record.format,
    includeFields: record.includeFields,
    metafieldNamespaces: record.metafieldNamespaces,
    filter: record.filter,
    createdAt: isoTime(record.createdAt),
    updatedAt: isoTime(record.updatedAt),
  };
}

function storeOf(context: AdminContext): WebhookSubscriptionStore {
  if (!context.subscriptions)
    throw new GraphQLError('Webhook subscriptions are not available', {
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  return context.subscriptions;
}

const domainOf = (context: AdminContext) => context.shop.domain;

interface ListArgs extends ConnectionArgs {
  topics?: string[] | null;
  uri?: string | null;
  callbackUrl?: string | null;
  format?: SubscriptionFormat | null;
}

export const webhookSubscriptionQueries = {
  webhookSubscription: ({ id }: { id: string }, context: AdminContext) => {
    const numeric = parseSubscriptionGid(id);
    const record = numeric === null ? undefined : storeOf(context).get(domainOf(context), numeric);
    return record ? webhookSubscriptionView(record) : null;
  },
  webhookSubscriptions: (args: ListArgs, context: AdminContext) => {
    const topics = args.topics?.length ? new Set(args.topics) : null;
    const uri = args.uri ?? args.callbackUrl ?? null;
    const records = storeOf(context)
      .list(domainOf(context))
      .filter(
        (record) =>
          (!topics || topics.has(topicEnumOf(record.topic) ?? '')) &&
          (uri === null || record.uri === uri) &&
          (!args.format || record.format === args.format),
      );
    const byId = new Map(records.map((record) => [record.id, record]));
    return paginate(arrayList(records.map((record) => record.id)), args, (id) =>
      webhookSubscriptionView(byId.get(id)!),
    );
  },
};

export const webhookSubscriptionMutations = {
  webhookSubscriptionCreate: (
    args: { topic: string; webhookSubscription: WebhookSubscriptionInput },
    context: AdminContext,
  ) => {
    const result = storeOf(context).create(
      domainOf(context),
      args.topic,
      args.webhookSubscription,
      context.apiVersion,
      context.now(),
    );
    return {
      webhookSubscription: result.subscription && webhookSubscriptionView(result.subscription),
      userErrors: result.userErrors,
    };
  },
  webhookSubscriptionUpdate: (
    args: { id: string; webhookSubscription: WebhookSubscriptionInput },
    context: AdminContext,
  ) => {
    const result = storeOf(context).update(
      domainOf(context),
      parseSubscriptionGid(args.id),
      args.webhookSubscription,
      context.apiVersion,
      context.now(),
    );
    return {
      webhookSubscription: result.subscription && webhookSubscriptionView(result.subscription),
      userErrors: result.userErrors,
    };
  },
  webhookSubscriptionDelete: ({ id }: { id: string }, context: AdminContext) => {
    const result = storeOf(context).delete(domainOf(context), parseSubscriptionGid(id));
    return {
      deletedWebhookSubscriptionId: result.deleted ? id : null,
      userErrors: result.userErrors,
    };
  },
};
