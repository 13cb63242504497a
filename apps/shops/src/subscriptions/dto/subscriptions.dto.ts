import { ApiProperty } from '@nestjs/swagger';
import type { ReconcileReport } from '@shopwire/shopify-subscriptions';
import type { SubscriptionsView } from '../subscriptions.service';

export class DesiredSubscriptionDto {
  @ApiProperty({ example: 'https://hooks.example.com/webhooks/shopify' })
  uri!: string;
  @ApiProperty({ example: '2026-01' })
  apiVersion!: string;
  @ApiProperty({ example: 'JSON' })
  format!: string;
  @ApiProperty({ type: [String] })
  includeFields!: string[];
  @ApiProperty({ type: String, nullable: true })
  filter!: string | null;
}

export class ActualSubscriptionDto {
  @ApiProperty({ type: String, nullable: true, example: 'gid://shopify/WebhookSubscription/1' })
  shopifyId!: string | null;
  @ApiProperty({ type: String, nullable: true })
  uri!: string | null;
  @ApiProperty({ type: String, nullable: true })
  apiVersion!: string | null;
  @ApiProperty({ type: String, nullable: true })
  format!: string | null;
  @ApiProperty({ type: [String] })
  includeFields!: string[];
  @ApiProperty({ type: String, nullable: true })
  filter!: string | null;
  @ApiProperty({
    enum: ['in_place', 'created', 'updated', 'failed', 'check_failed'],
    description: 'What the last check found or did; check_failed: the listing itself failed',
  })
  state!: string;
  @ApiProperty({ type: String, nullable: true })
  lastCheckedAt!: string | null;
  @ApiProperty({ type: String, nullable: true })
  lastRepairedAt!: string | null;
}

export class TopicSubscriptionDto {
  @ApiProperty({ example: 'orders/create' })
  topic!: string;
  @ApiProperty({ type: DesiredSubscriptionDto })
  desired!: DesiredSubscriptionDto;
  @ApiProperty({
    type: ActualSubscriptionDto,
    nullable: true,
    description: 'As last seen; null: never checked',
  })
  actual!: ActualSubscriptionDto | null;
}

export class SubscriptionsViewDto {
  @ApiProperty({ example: 'acme.myshopify.com' })
  shop!: string;
  @ApiProperty({ example: 'https://hooks.example.com/webhooks/shopify' })
  endpoint!: string;
  @ApiProperty({ example: '2026-01' })
  apiVersion!: string;
  @ApiProperty({ type: [TopicSubscriptionDto] })
  subscriptions!: TopicSubscriptionDto[];

  static from(view: SubscriptionsView): SubscriptionsViewDto {
    return {
      shop: view.shop,
      endpoint: view.endpoint,
      apiVersion: view.apiVersion,
      subscriptions: view.subscriptions.map(({ topic, desired, actual }) => ({
        topic,
        desired: {
          uri: desired.uri,
          apiVersion: desired.apiVersion,
          format: desired.format,
          includeFields: [...desired.includeFields],
          filter: desired.filter,
        },
        actual: actual && {
          shopifyId: actual.shopifyId,
          uri: actual.uri,
          apiVersion: actual.apiVersion,
          format: actual.format,
          includeFields: actual.includeFields,
          filter: actual.filter,
          state: actual.state,
          lastCheckedAt: actual.lastCheckedAt?.toISOString() ?? null,
          lastRepairedAt: actual.lastRepairedAt?.toISOString() ?? null,
        },
      })),
    };
  }
}

export class UpdatedTopicDto {
  @ApiProperty({ example: 'orders/create' })
  topic!: string;
  @ApiProperty({ type: [String], example: ['uri'] })
  changes!: string[];
}

export class DeletedSubscriptionDto {
  @ApiProperty({ example: 'products/update' })
  topic!: string;
  @ApiProperty({ example: 'gid://shopify/WebhookSubscription/7' })
  id!: string;
  @ApiProperty({ enum: ['not_declared', 'duplicate'] })
  reason!: string;
}

export class FailedChangeDto {
  @ApiProperty({ example: 'orders/create' })
  topic!: string;
  @ApiProperty({ enum: ['create', 'update', 'delete'] })
  action!: string;
  @ApiProperty({ example: 'webhookSubscription.uri: Address is invalid' })
  message!: string;
}

export class ReconcileReportDto {
  @ApiProperty({ example: 'acme.myshopify.com' })
  shop!: string;
  @ApiProperty({ enum: ['install', 'schedule', 'manual'] })
  trigger!: string;
  @ApiProperty({ type: [String] })
  created!: string[];
  @ApiProperty({ type: [UpdatedTopicDto] })
  updated!: UpdatedTopicDto[];
  @ApiProperty({ type: [DeletedSubscriptionDto] })
  deleted!: DeletedSubscriptionDto[];
  @ApiProperty({ type: [String] })
  unchanged!: string[];
  @ApiProperty({ type: [FailedChangeDto], description: 'Changes Shopify refused (userErrors)' })
  failed!: FailedChangeDto[];
  @ApiProperty({ description: 'Subscriptions on endpoints that are not ours, left untouched' })
  foreign!: number;

  static from(report: ReconcileReport): ReconcileReportDto {
    return {
      shop: report.shop,
      trigger: report.trigger,
      created: report.created,
      updated: report.updated,
      deleted: report.deleted,
      unchanged: report.unchanged,
      failed: report.failed,
      foreign: report.foreign,
    };
  }
}
