import type { ShopState } from '../shops/admin-shops.service';
import type { ShopStore } from '../store/shop-store';
import type { WebhookSubscriptionStore } from '../../installs/webhook-subscription-store';

/** What a bulk operation looks like to GraphQL (see bulk/bulk-operations.service.ts). */
export interface BulkOperationView {
  __typename: 'BulkOperation';
  id: string;
  status: string;
  type: 'QUERY' | 'MUTATION';
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  query: string;
  createdAt: string;
  completedAt: string | null;
}

export interface BulkOperationsPort {
  runQuery(
    context: AdminContext,
    query: string,
  ): {
    bulkOperation: BulkOperationView | null;
    userErrors: { field: string[] | null; message: string; code: string | null }[];
  };
  cancel(
    context: AdminContext,
    id: string,
  ): {
    bulkOperation: BulkOperationView | null;
    userErrors: { field: string[] | null; message: string }[];
  };
  find(context: AdminContext, id: string): BulkOperationView | null;
  current(context: AdminContext, type: 'QUERY' | 'MUTATION'): BulkOperationView | null;
}

/** Told of changes made through mutations (the simulator announces them as webhooks). */
export interface ChangeListener {
  productChanged(shop: string, productIndex: number): void;
  inventoryChanged(shop: string, variantIndex: number, locationIndex: number): void;
}

/** Per-request context handed to every resolver. */
export interface AdminContext {
  shop: ShopState;
  store: ShopStore;
  apiVersion: string;
  /** Base URL of the simulator as the client reached it, for bulk result URLs. */
  baseUrl: string;
  now(): Date;
  bulk: BulkOperationsPort;
  changes?: ChangeListener;
  /** The shop's webhook subscriptions (absent in resolver unit tests that do not need them). */
  subscriptions?: WebhookSubscriptionStore;
}
