import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The latest state of a Shopify order, as its webhooks told it. Numeric IDs are Postgres bigint
 * and money is `numeric` without scale; `pg` hands both back as strings, so neither ever passes
 * through a JS number (IDs exceed 2^53; "199.65" must stay "199.65").
 */
@Entity({ schema: 'orders', name: 'orders' })
export class OrderEntity {
  @PrimaryColumn({ name: 'shop_domain', type: 'text' })
  shopDomain!: string;

  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'admin_graphql_api_id', type: 'text', nullable: true })
  adminGraphqlApiId!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'order_number', type: 'bigint', nullable: true })
  orderNumber!: string | null;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', nullable: true })
  currency!: string | null;

  @Column({ name: 'financial_status', type: 'text', nullable: true })
  financialStatus!: string | null;

  @Column({ name: 'fulfillment_status', type: 'text', nullable: true })
  fulfillmentStatus!: string | null;

  @Column({ name: 'total_price', type: 'numeric', nullable: true })
  totalPrice!: string | null;

  @Column({ name: 'subtotal_price', type: 'numeric', nullable: true })
  subtotalPrice!: string | null;

  @Column({ name: 'total_tax', type: 'numeric', nullable: true })
  totalTax!: string | null;

  @Column({ name: 'total_discounts', type: 'numeric', nullable: true })
  totalDiscounts!: string | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason!: string | null;

  /** Shopify's timestamps, not ours. */
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'last_webhook_id', type: 'text' })
  lastWebhookId!: string;

  @Column({ name: 'last_shopify_topic', type: 'text' })
  lastShopifyTopic!: string;

  /** When the gateway received the webhook that set this state. */
  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  /** When this service applied it. */
  @Column({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;

  /** The order's customer. Personal data (all but the id): erased by customers/redact. */
  @Column({ name: 'customer_id', type: 'bigint', nullable: true })
  customerId!: string | null;

  @Column({ name: 'customer_email', type: 'text', nullable: true })
  customerEmail!: string | null;

  @Column({ name: 'customer_first_name', type: 'text', nullable: true })
  customerFirstName!: string | null;

  @Column({ name: 'customer_last_name', type: 'text', nullable: true })
  customerLastName!: string | null;

  @Column({ name: 'customer_phone', type: 'text', nullable: true })
  customerPhone!: string | null;

  /** Webhooks for this order skipped because they were older than the stored state. */
  @Column({ name: 'stale_updates_skipped', type: 'integer' })
  staleUpdatesSkipped!: number;
}
