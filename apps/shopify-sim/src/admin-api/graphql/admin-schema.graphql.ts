import { WEBHOOK_SUBSCRIPTION_SDL } from './webhook-subscriptions.graphql';

/**
 * The subset of Shopify's Admin GraphQL schema the simulator serves. Names, types and argument
 * shapes follow Shopify's so a client written against the simulator works against Shopify;
 * anything not listed here is a validation error (never a silent null).
 */
const CORE_SCHEMA_SDL = /* GraphQL */ `
  scalar DateTime
  scalar URL
  scalar Money
  scalar Decimal
  "A 64-bit id, serialised as a string: Shopify's ids exceed 2^53."
  scalar UnsignedInt64

  interface Node {
    id: ID!
  }

  type PageInfo {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }

  enum ProductStatus {
    ACTIVE
    ARCHIVED
    DRAFT
  }

  enum CurrencyCode {
    USD
    CAD
    EUR
    GBP
  }

  enum OrderDisplayFinancialStatus {
    AUTHORIZED
    PAID
    PARTIALLY_PAID
    PARTIALLY_REFUNDED
    PENDING
    REFUNDED
    VOIDED
    EXPIRED
  }

  enum OrderDisplayFulfillmentStatus {
    FULFILLED
    IN_PROGRESS
    ON_HOLD
    OPEN
    PARTIALLY_FULFILLED
    PENDING_FULFILLMENT
    RESTOCKED
    SCHEDULED
    UNFULFILLED
  }

  enum BulkOperationStatus {
    CANCELED
    CANCELING
    COMPLETED
    CREATED
    EXPIRED
    FAILED
    RUNNING
  }

  enum BulkOperationType {
    MUTATION
    QUERY
  }

  enum BulkOperationErrorCode {
    ACCESS_DENIED
    INTERNAL_SERVER_ERROR
    TIMEOUT
  }

  enum BulkOperationUserErrorCode {
    INVALID
    OPERATION_IN_PROGRESS
  }

  type MoneyV2 {
    amount: Decimal!
    currencyCode: CurrencyCode!
  }

  type MoneyBag {
    shopMoney: MoneyV2!
    presentmentMoney: MoneyV2!
  }

  enum CountPrecision {
    AT_LEAST
    EXACT
  }

  type Count {
    count: Int!
    precision: CountPrecision!
  }

  type ShopPlan {
    displayName: String!
    shopifyPlus: Boolean!
  }

  enum WeightUnit {
    GRAMS
    KILOGRAMS
    OUNCES
    POUNDS
  }

  type Shop implements Node {
    id: ID!
    name: String!
    email: String!
    myshopifyDomain: String!
    currencyCode: CurrencyCode!
    ianaTimezone: String!
    weightUnit: WeightUnit!
    taxesIncluded: Boolean!
    plan: ShopPlan!
  }

  type Metafield implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    namespace: String!
    key: String!
    type: String!
    value: String!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type MetafieldEdge {
    cursor: String!
    node: Metafield!
  }

  type MetafieldConnection {
    edges: [MetafieldEdge!]!
    nodes: [Metafield!]!
    pageInfo: PageInfo!
  }

  enum DiscountStatus {
    ACTIVE
    EXPIRED
    SCHEDULED
  }

  type DiscountPercentage {
    "A fraction: 0.1 is 10 %."
    percentage: Float!
  }

  type DiscountAmount {
    amount: MoneyV2!
    appliesOnEachItem: Boolean!
  }

  union DiscountCustomerGetsValue = DiscountAmount | DiscountPercentage

  type DiscountCustomerGets {
    value: DiscountCustomerGetsValue!
  }

  type DiscountRedeemCode {
    id: ID!
    code: String!
    asyncUsageCount: Int!
  }

  type DiscountRedeemCodeEdge {
    cursor: String!
    node: DiscountRedeemCode!
  }

  type DiscountRedeemCodeConnection {
    edges: [DiscountRedeemCodeEdge!]!
    nodes: [DiscountRedeemCode!]!
    pageInfo: PageInfo!
  }

  type DiscountAutomaticBasic {
    title: String!
    status: DiscountStatus!
    summary: String!
    startsAt: DateTime!
    endsAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    customerGets: DiscountCustomerGets!
  }

  type DiscountCodeBasic {
    title: String!
    status: DiscountStatus!
    summary: String!
    startsAt: DateTime!
    endsAt: DateTime
    createdAt: DateTime!
    updatedAt: DateTime!
    customerGets: DiscountCustomerGets!
    appliesOncePerCustomer: Boolean!
    usageLimit: Int
    codes(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
    ): DiscountRedeemCodeConnection!
  }

  "Shopify's union has more members (Bxgy, FreeShipping, App); the simulator has these two."
  union Discount = DiscountAutomaticBasic | DiscountCodeBasic

  union DiscountAutomatic = DiscountAutomaticBasic

  type DiscountNode implements Node {
    id: ID!
    discount: Discount!
  }

  type DiscountNodeEdge {
    cursor: String!
    node: DiscountNode!
  }

  type DiscountNodeConnection {
    edges: [DiscountNodeEdge!]!
    nodes: [DiscountNode!]!
    pageInfo: PageInfo!
  }

  type DiscountAutomaticNode implements Node {
    id: ID!
    automaticDiscount: DiscountAutomatic!
  }

  type DiscountUserError {
    field: [String!]
    message: String!
    code: String
  }

  type DiscountAutomaticBasicUpdatePayload {
    automaticDiscountNode: DiscountAutomaticNode
    userErrors: [DiscountUserError!]!
  }

  input DiscountAutomaticBasicInput {
    title: String
    startsAt: DateTime
    endsAt: DateTime
  }

  type MetafieldsSetUserError {
    field: [String!]
    message: String!
    code: String
  }

  type MetafieldsSetPayload {
    metafields: [Metafield!]
    userErrors: [MetafieldsSetUserError!]!
  }

  input MetafieldsSetInput {
    ownerId: ID!
    namespace: String!
    key: String!
    type: String
    value: String!
  }

  type Location implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    isActive: Boolean!
  }

  type LocationEdge {
    cursor: String!
    node: Location!
  }

  type LocationConnection {
    edges: [LocationEdge!]!
    nodes: [Location!]!
    pageInfo: PageInfo!
  }

  type InventoryQuantity {
    id: ID!
    name: String!
    quantity: Int!
    updatedAt: DateTime
  }

  type InventoryLevel implements Node {
    id: ID!
    location: Location!
    item: InventoryItem!
    "Shopify removed this field in 2023-01 in favour of quantities; kept for older clients."
    available: Int!
    quantities(names: [String!]!): [InventoryQuantity!]!
    updatedAt: DateTime!
  }

  type InventoryLevelEdge {
    cursor: String!
    node: InventoryLevel!
  }

  type InventoryLevelConnection {
    edges: [InventoryLevelEdge!]!
    nodes: [InventoryLevel!]!
    pageInfo: PageInfo!
  }

  type InventoryItem implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    sku: String
    tracked: Boolean!
    createdAt: DateTime!
    updatedAt: DateTime!
    variant: ProductVariant!
    inventoryLevels(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
    ): InventoryLevelConnection!
    inventoryLevel(locationId: ID!): InventoryLevel
  }

  type InventoryItemEdge {
    cursor: String!
    node: InventoryItem!
  }

  type InventoryItemConnection {
    edges: [InventoryItemEdge!]!
    nodes: [InventoryItem!]!
    pageInfo: PageInfo!
  }

  type ProductVariant implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    displayName: String!
    sku: String
    price: Money!
    position: Int!
    inventoryQuantity: Int
    createdAt: DateTime!
    updatedAt: DateTime!
    product: Product!
    inventoryItem: InventoryItem!
  }

  type ProductVariantEdge {
    cursor: String!
    node: ProductVariant!
  }

  type ProductVariantConnection {
    edges: [ProductVariantEdge!]!
    nodes: [ProductVariant!]!
    pageInfo: PageInfo!
  }

  type Product implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    title: String!
    handle: String!
    status: ProductStatus!
    vendor: String!
    productType: String!
    tags: [String!]!
    totalInventory: Int!
    createdAt: DateTime!
    updatedAt: DateTime!
    variants(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
    ): ProductVariantConnection!
    metafields(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      namespace: String
    ): MetafieldConnection!
  }

  type ProductEdge {
    cursor: String!
    node: Product!
  }

  type ProductConnection {
    edges: [ProductEdge!]!
    nodes: [Product!]!
    pageInfo: PageInfo!
  }

  type Customer implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    email: String
    firstName: String
    lastName: String
    displayName: String!
    createdAt: DateTime!
    updatedAt: DateTime!
  }

  type CustomerEdge {
    cursor: String!
    node: Customer!
  }

  type CustomerConnection {
    edges: [CustomerEdge!]!
    nodes: [Customer!]!
    pageInfo: PageInfo!
  }

  type LineItem implements Node {
    id: ID!
    title: String!
    name: String!
    quantity: Int!
    sku: String
    variant: ProductVariant
    product: Product
    originalUnitPriceSet: MoneyBag!
  }

  type LineItemEdge {
    cursor: String!
    node: LineItem!
  }

  type LineItemConnection {
    edges: [LineItemEdge!]!
    nodes: [LineItem!]!
    pageInfo: PageInfo!
  }

  type Order implements Node {
    id: ID!
    legacyResourceId: UnsignedInt64!
    name: String!
    email: String
    note: String
    tags: [String!]!
    currencyCode: CurrencyCode!
    createdAt: DateTime!
    updatedAt: DateTime!
    processedAt: DateTime!
    cancelledAt: DateTime
    displayFinancialStatus: OrderDisplayFinancialStatus
    displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
    totalPriceSet: MoneyBag!
    subtotalPriceSet: MoneyBag!
    customer: Customer
    lineItems(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
    ): LineItemConnection!
  }

  type OrderEdge {
    cursor: String!
    node: Order!
  }

  type OrderConnection {
    edges: [OrderEdge!]!
    nodes: [Order!]!
    pageInfo: PageInfo!
  }

  type BulkOperation implements Node {
    id: ID!
    status: BulkOperationStatus!
    type: BulkOperationType!
    errorCode: BulkOperationErrorCode
    objectCount: UnsignedInt64!
    rootObjectCount: UnsignedInt64!
    fileSize: UnsignedInt64
    url: URL
    partialDataUrl: URL
    query: String!
    createdAt: DateTime!
    completedAt: DateTime
  }

  type UserError {
    field: [String!]
    message: String!
  }

  type BulkOperationUserError {
    field: [String!]
    message: String!
    code: BulkOperationUserErrorCode
  }

  type BulkOperationRunQueryPayload {
    bulkOperation: BulkOperation
    userErrors: [BulkOperationUserError!]!
  }

  type BulkOperationCancelPayload {
    bulkOperation: BulkOperation
    userErrors: [UserError!]!
  }

  type ProductUpdatePayload {
    product: Product
    userErrors: [UserError!]!
  }

  type OrderUpdatePayload {
    order: Order
    userErrors: [UserError!]!
  }

  type TagsAddPayload {
    node: Node
    userErrors: [UserError!]!
  }

  type InventoryChange {
    name: String!
    delta: Int!
    quantityAfterChange: Int
    item: InventoryItem
    location: Location
  }

  type InventoryAdjustmentGroup {
    id: ID!
    reason: String!
    createdAt: DateTime!
    changes: [InventoryChange!]!
  }

  type InventorySetQuantitiesUserError {
    field: [String!]
    message: String!
    code: String
  }

  type InventorySetQuantitiesPayload {
    inventoryAdjustmentGroup: InventoryAdjustmentGroup
    userErrors: [InventorySetQuantitiesUserError!]!
  }

  input ProductInput {
    id: ID
    title: String
    tags: [String!]
    status: ProductStatus
    vendor: String
    productType: String
  }

  input OrderInput {
    id: ID!
    tags: [String!]
    note: String
    email: String
  }

  input InventoryQuantityInput {
    inventoryItemId: ID!
    locationId: ID!
    quantity: Int!
    compareQuantity: Int
    "The newer name of compareQuantity; either may be given."
    changeFromQuantity: Int
  }

  input InventorySetQuantitiesInput {
    name: String!
    reason: String!
    referenceDocumentUri: String
    ignoreCompareQuantity: Boolean = true
    quantities: [InventoryQuantityInput!]!
  }

  type QueryRoot {
    shop: Shop!
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    product(id: ID!): Product
    products(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      query: String
    ): ProductConnection!
    productVariant(id: ID!): ProductVariant
    productVariants(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      query: String
    ): ProductVariantConnection!
    inventoryItem(id: ID!): InventoryItem
    inventoryItems(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      query: String
    ): InventoryItemConnection!
    inventoryLevel(id: ID!): InventoryLevel
    location(id: ID): Location
    locations(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
    ): LocationConnection!
    order(id: ID!): Order
    orders(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      query: String
    ): OrderConnection!
    "Counts stop at limit (precision AT_LEAST past it), as Shopify's do."
    productsCount(query: String, limit: Int = 10000): Count
    ordersCount(query: String, limit: Int = 10000): Count
    customer(id: ID!): Customer
    customers(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      query: String
    ): CustomerConnection!
    bulkOperation(id: ID!): BulkOperation
    currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation
    discountNode(id: ID!): DiscountNode
    discountNodes(
      first: Int
      last: Int
      after: String
      before: String
      reverse: Boolean = false
      query: String
    ): DiscountNodeConnection!
  }

  type Mutation {
    "Shopify's 2024-10+ signature takes 'product'; older versions take 'input'. Both work."
    productUpdate(input: ProductInput, product: ProductInput): ProductUpdatePayload
    orderUpdate(input: OrderInput!): OrderUpdatePayload
    tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
    inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
    bulkOperationRunQuery(
      query: String!
      groupObjects: Boolean = false
    ): BulkOperationRunQueryPayload
    bulkOperationCancel(id: ID!): BulkOperationCancelPayload
    metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
    discountAutomaticBasicUpdate(
      id: ID!
      automaticBasicDiscount: DiscountAutomaticBasicInput!
    ): DiscountAutomaticBasicUpdatePayload
  }

  schema {
    query: QueryRoot
    mutation: Mutation
  }
`;

export const ADMIN_SCHEMA_SDL = CORE_SCHEMA_SDL + WEBHOOK_SUBSCRIPTION_SDL;
