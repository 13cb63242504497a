import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { OrderLineItemEntity } from '../order-line-item.entity';
import type { OrderEntity } from '../order.entity';

// Field names follow Shopify's REST payloads, so a caller reads the same names it would get
// from Shopify. IDs and money are strings, exactly as Shopify sent them.

export class OrderLineItemDto {
  @ApiProperty({
    example: '866550311766439020',
    description: 'Shopify line item id (string: exceeds 2^53)',
  })
  id!: string;

  @ApiProperty({ type: String, nullable: true, example: '632910392' })
  product_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '808950810' })
  variant_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'IPOD2008PINK' })
  sku!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'IPod Nano - 8gb' })
  title!: string | null;

  @ApiProperty({ example: 1 })
  quantity!: number;

  @ApiProperty({ type: String, nullable: true, example: '199.00', description: 'Decimal string' })
  price!: string | null;

  static from(entity: OrderLineItemEntity): OrderLineItemDto {
    return {
      id: entity.id,
      product_id: entity.productId,
      variant_id: entity.variantId,
      sku: entity.sku,
      title: entity.title,
      quantity: entity.quantity,
      price: entity.price,
    };
  }
}

export class OrderCustomerDto {
  @ApiProperty({ type: String, nullable: true, example: '207119551' })
  id!: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Personal data: only with scope customers:read; null once redacted',
  })
  email?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Only with customers:read' })
  first_name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Only with customers:read' })
  last_name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Only with customers:read' })
  phone?: string | null;
}

export class OrderDto {
  @ApiProperty({
    example: '820982911946154508',
    description: 'Shopify order id (string: exceeds 2^53)',
  })
  id!: string;

  @ApiProperty({ example: 'acme.myshopify.com' })
  shop_domain!: string;

  @ApiProperty({ type: String, nullable: true, example: 'gid://shopify/Order/820982911946154508' })
  admin_graphql_api_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '#1001' })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1001' })
  order_number!: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Personal data: only with scope customers:read',
  })
  email?: string | null;

  @ApiProperty({ type: OrderCustomerDto, nullable: true })
  customer!: OrderCustomerDto | null;

  @ApiProperty({ type: String, nullable: true, example: 'USD' })
  currency!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'paid' })
  financial_status!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'partial' })
  fulfillment_status!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '199.65', description: 'Decimal string' })
  total_price!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '199.00' })
  subtotal_price!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0.65' })
  total_tax!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0.00' })
  total_discounts!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  cancelled_at!: string | null;

  @ApiProperty({ type: String, nullable: true })
  cancel_reason!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: "Shopify's, in UTC",
  })
  created_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: "Shopify's, in UTC" })
  updated_at!: string;

  @ApiProperty({ example: 'orders/updated', description: 'Webhook topic that set this state' })
  last_shopify_topic!: string;

  @ApiProperty({ description: 'X-Shopify-Webhook-Id of the webhook that set this state' })
  last_webhook_id!: string;

  @ApiProperty({
    description: 'Webhooks for this order skipped because they were older than this state',
  })
  stale_updates_skipped!: number;

  @ApiPropertyOptional({
    type: [OrderLineItemDto],
    description: 'Only in the single-order response',
  })
  line_items?: OrderLineItemDto[];

  static from(entity: OrderEntity, lineItems?: OrderLineItemEntity[]): OrderDto {
    const dto: OrderDto = {
      id: entity.id,
      shop_domain: entity.shopDomain,
      admin_graphql_api_id: entity.adminGraphqlApiId,
      name: entity.name,
      order_number: entity.orderNumber,
      email: entity.email,
      customer:
        entity.customerId === null && entity.customerEmail === null
          ? null
          : {
              id: entity.customerId,
              email: entity.customerEmail,
              first_name: entity.customerFirstName,
              last_name: entity.customerLastName,
              phone: entity.customerPhone,
            },
      currency: entity.currency,
      financial_status: entity.financialStatus,
      fulfillment_status: entity.fulfillmentStatus,
      total_price: entity.totalPrice,
      subtotal_price: entity.subtotalPrice,
      total_tax: entity.totalTax,
      total_discounts: entity.totalDiscounts,
      cancelled_at: entity.cancelledAt?.toISOString() ?? null,
      cancel_reason: entity.cancelReason,
      created_at: entity.createdAt?.toISOString() ?? null,
      updated_at: entity.updatedAt.toISOString(),
      last_shopify_topic: entity.lastShopifyTopic,
      last_webhook_id: entity.lastWebhookId,
      stale_updates_skipped: entity.staleUpdatesSkipped,
    };
    if (lineItems) dto.line_items = lineItems.map((item) => OrderLineItemDto.from(item));
    return dto;
  }
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderDto] })
  orders!: OrderDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last',
  })
  next_cursor!: string | null;
}

/**
 * An order as a caller without `customers:read` sees it: the customer's id stays (it is how a
 * caller joins orders to its own records), the contact data goes.
 */
export function withoutPersonalData(order: OrderDto): OrderDto {
  const { email: _email, customer, ...rest } = order;
  return { ...rest, customer: customer ? { id: customer.id } : null };
}
