import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A line of an order, replaced as a whole whenever a newer state of the order is applied. */
@Entity({ schema: 'orders', name: 'order_line_items' })
export class OrderLineItemEntity {
  @PrimaryColumn({ name: 'shop_domain', type: 'text' })
  shopDomain!: string;

  @PrimaryColumn({ name: 'order_id', type: 'bigint' })
  orderId!: string;

  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  /** Index in the payload's `line_items`, so lines come back in Shopify's order. */
  @Column({ type: 'integer' })
  position!: number;

  @Column({ name: 'product_id', type: 'bigint', nullable: true })
  productId!: string | null;

  @Column({ name: 'variant_id', type: 'bigint', nullable: true })
  variantId!: string | null;

  @Column({ type: 'text', nullable: true })
  sku!: string | null;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column({ type: 'numeric', nullable: true })
  price!: string | null;
}
