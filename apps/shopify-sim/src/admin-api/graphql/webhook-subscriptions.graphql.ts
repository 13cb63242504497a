import { SUBSCRIPTION_TOPICS } from '../../installs/webhook-subscription-store';

/**
 * Webhook subscriptions in the Admin GraphQL schema, Shopify's names: the `webhookSubscriptions`
 * connection and the create/update/delete mutations with `userErrors`. Compliance topics are
 * not in the enum: Shopify takes them only in the app configuration.
 */
export const WEBHOOK_SUBSCRIPTION_SDL = /* GraphQL */ `
  enum WebhookSubscriptionTopic {
    ${Object.keys(SUBSCRIPTION_TOPICS).join('\n    ')}
  }

  enum WebhookSubscriptionFormat {
    JSON
    XML
  }

  type ApiVersion {
    handle: String!
    displayName: String!
    supported: Boolean!
  }

  type WebhookHttpEndpoint {
    callbackUrl: URL!
  }

  type WebhookPubSubEndpoint {
    pubSubProject: String!
    pubSubTopic: String!
  }

  type WebhookEventBridgeEndpoint {
    arn: String!
  }

  union WebhookSubscriptionEndpoint =
    | WebhookHttpEndpoint
    | WebhookPubSubEndpoint
    | WebhookEventBridgeEndpoint

  type WebhookSubscription implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    topic: WebhookSubscriptionTopic!
    "The endpoint (https URL, pubsub:// or arn:aws:events:...)."
    uri: String!
    callbackUrl: URL! @deprecated(reason: "Use uri instead.")
    endpoint: WebhookSubscriptionEndpoint!
    apiVersion: ApiVersion!
    format: WebhookSubscriptionFormat!
    includeFields: [String!]!
    metafieldNamespaces: [String!]!
    filter: String
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type WebhookSubscriptionEdge {
    cursor: String!
    node: WebhookSubscription!
  }

  type WebhookSubscriptionConnection {
    edges: [WebhookSubscriptionEdge!]!
    nodes: [WebhookSubscription!]!
    pageInfo: PageInfo!
  }

  input WebhookSubscriptionInput {
    uri: String
    callbackUrl: URL
    format: WebhookSubscriptionFormat
    includeFields: [String!]
    metafieldNamespaces: [String!]
    filter: String
  }

  type WebhookSubscriptionCreatePayload {
    webhookSubscription: WebhookSubscription
    userErrors: [UserError!]!
  }

  type WebhookSubscriptionUpdatePayload {
    webhookSubscription: WebhookSubscription
    userErrors: [UserError!]!
  }

  type WebhookSubscriptionDeletePayload {
    deletedWebhookSubscriptionId: ID
    userErrors: [UserError!]!
  }

  extend type QueryRoot {
    webhookSubscription(id: ID!): WebhookSubscription
    webhookSubscriptions(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      topics: [WebhookSubscriptionTopic!]
      uri: String
      callbackUrl: URL
      format: WebhookSubscriptionFormat
    ): WebhookSubscriptionConnection!
  }

  extend type Mutation {
    webhookSubscriptionCreate(
      topic: WebhookSubscriptionTopic!
      webhookSubscription: WebhookSubscriptionInput!
    ): WebhookSubscriptionCreatePayload
    webhookSubscriptionUpdate(
      id: ID!
      webhookSubscription: WebhookSubscriptionInput!
    ): WebhookSubscriptionUpdatePayload
    webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
  }
`;
