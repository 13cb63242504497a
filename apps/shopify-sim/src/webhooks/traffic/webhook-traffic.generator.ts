import { SeededRandom } from '../../random/seeded-random';
import {
  createCatalog,
  renderInventoryLevel,
  renderProduct,
  updateProduct,
  type ProductRecord,
} from '../payloads/catalog-payload.factory';
import {
  renderAppUninstalled,
  renderCustomerDataRequest,
  renderCustomerRedact,
  renderShopRedact,
} from '../payloads/compliance-payload.factory';
import {
  createCustomerRecord,
  renderCustomer,
  type CustomerRecord,
} from '../payloads/customer-payload.factory';
import {
  cancelOrderRecord,
  createOrderRecord,
  renderOrder,
  updateOrderRecord,
  type OrderRecord,
} from '../payloads/order-payload.factory';
import { laterThan } from '../payloads/payload-format';
import { shopProfile, type ShopProfile } from '../payloads/shop-profile';
import { toShopifyJson, type JsonObject } from '../payloads/shopify-json.writer';
import { renderDiscountUpdate, renderShopUpdate } from '../payloads/store-payload.factory';
import { DEFAULT_TOPIC_MIX, type TopicMix, type WebhookTopic } from './webhook-topics';

/** One webhook as Shopify would emit it, before any delivery (no webhook id or signature yet). */
export interface WebhookEvent {
  topic: WebhookTopic;
  shopDomain: string;
  /** Shared by every webhook one merchant action causes (a cancel sends cancelled + updated). */
  eventId: string;
  triggeredAt: Date;
  /** The exact bytes to send and sign. */
  body: Buffer;
  /** The resource the webhook is about, as an exact decimal string (for tests and logs). */
  resourceId: string;
}

export interface TrafficGeneratorOptions {
  seed: string | number;
  shops: readonly string[];
  mix?: TopicMix;
}

interface ShopState {
  profile: ShopProfile;
  catalog: ProductRecord[];
  customers: CustomerRecord[];
  /** Orders that can still be updated or cancelled, oldest first. */
  openOrders: OrderRecord[];
  ordersByCustomer: Map<bigint, bigint[]>;
  nextOrderNumber: number;
  lastInventoryAt: Date;
}

const MAX_OPEN_ORDERS = 500;
const MAX_CUSTOMERS = 300;

/**
 * Stateful, seeded source of realistic webhook traffic: orders are created and later updated or
 * cancelled with `updated_at` moving forward each time, line items reference the shop's catalog,
 * inventory changes reference its inventory items. Same seed + same clock readings = same bytes.
 */
export class WebhookTrafficGenerator {
  private readonly rng: SeededRandom;
  private readonly shops: ShopState[];
  private readonly mix: (readonly [WebhookTopic, number])[];

  constructor(options: TrafficGeneratorOptions, start: Date = new Date()) {
    if (options.shops.length === 0) throw new Error('at least one shop is required');
    this.rng = new SeededRandom(options.seed);
    this.mix = Object.entries(options.mix ?? DEFAULT_TOPIC_MIX) as [WebhookTopic, number][];
    this.shops = options.shops.map((domain) => {
      const rng = this.rng.fork(domain);
      const customers = Array.from({ length: 20 }, () =>
        createCustomerRecord(rng, new Date(start.getTime() - 86_400_000)),
      );
      return {
        profile: shopProfile(domain),
        catalog: createCatalog(rng, start),
        customers,
        openOrders: [],
        ordersByCustomer: new Map(),
        nextOrderNumber: rng.int(1001, 9000),
        lastInventoryAt: start,
      };
    });
  }

  /** The webhooks caused by one merchant action happening at `at`. */
  next(at: Date): WebhookEvent[] {
    return this.nextOf(this.rng.weighted(this.mix), at);
  }

  /**
   * The webhooks of one action of the given kind. orders/updated and orders/cancelled need an
   * open order; without one the action becomes an orders/create.
   */
  nextOf(topic: WebhookTopic, at: Date, shopDomain?: string): WebhookEvent[] {
    const shop =
      (shopDomain && this.shops.find((s) => s.profile.domain === shopDomain)) ||
      this.rng.pick(this.shops);
    const eventId = this.rng.uuid();
    return this.act(shop, topic, at).map(({ topic: t, payload, resourceId }) => ({
      topic: t,
      shopDomain: shop.profile.domain,
      eventId,
      triggeredAt: at,
      body: toShopifyJson(payload),
      resourceId,
    }));
  }

  private act(
    shop: ShopState,
    topic: WebhookTopic,
    at: Date,
  ): { topic: WebhookTopic; payload: JsonObject; resourceId: string }[] {
    const { rng } = this;
    const profile = shop.profile;
    switch (topic) {
      case 'orders/create':
        return [this.createOrder(shop, at)];
      case 'orders/updated': {
        if (shop.openOrders.length === 0) return [this.createOrder(shop, at)];
        const index = rng.int(0, shop.openOrders.length - 1);
        const order = updateOrderRecord(rng, shop.openOrders[index]!, at);
        shop.openOrders[index] = order;
        return [{ topic, payload: renderOrder(order, profile), resourceId: String(order.id) }];
      }
      case 'orders/cancelled': {
        if (shop.openOrders.length === 0) return [this.createOrder(shop, at)];
        const [open] = shop.openOrders.splice(rng.int(0, shop.openOrders.length - 1), 1);
        const order = cancelOrderRecord(rng, open!, at);
        const payload = renderOrder(order, profile);
        // Shopify follows a cancellation with orders/updated for the same change.
        return [
          { topic, payload, resourceId: String(order.id) },
          { topic: 'orders/updated', payload, resourceId: String(order.id) },
        ];
      }
      case 'products/update': {
        const index = rng.int(0, shop.catalog.length - 1);
        const product = updateProduct(rng, shop.catalog[index]!, at);
        shop.catalog[index] = product;
        return [
          { topic, payload: renderProduct(product, profile), resourceId: String(product.id) },
        ];
      }
      case 'inventory_levels/update': {
        const variant = rng.pick(rng.pick(shop.catalog).variants);
        variant.available = Math.max(0, variant.available + rng.int(-12, 30));
        shop.lastInventoryAt = laterThan(shop.lastInventoryAt, at);
        const change = {
          inventoryItemId: variant.inventoryItemId,
          locationId: rng.pick(profile.locationIds),
          available: variant.available,
          at: shop.lastInventoryAt,
        };
        return [
          {
            topic,
            payload: renderInventoryLevel(change, profile),
            resourceId: String(variant.inventoryItemId),
          },
        ];
      }
      case 'customers/create': {
        const customer = this.newCustomer(shop, at);
        return [
          { topic, payload: renderCustomer(customer, profile), resourceId: String(customer.id) },
        ];
      }
      case 'customers/data_request': {
        const customer = rng.pick(shop.customers);
        const payload = renderCustomerDataRequest(
          rng,
          profile,
          customer,
          shop.ordersByCustomer.get(customer.id) ?? [],
        );
        return [{ topic, payload, resourceId: String(customer.id) }];
      }
      case 'customers/redact': {
        const customer = rng.pick(shop.customers);
        const payload = renderCustomerRedact(
          profile,
          customer,
          shop.ordersByCustomer.get(customer.id) ?? [],
        );
        return [{ topic, payload, resourceId: String(customer.id) }];
      }
      case 'discounts/update': {
        const payload = renderDiscountUpdate(rng, profile, at);
        return [{ topic, payload, resourceId: String(payload.admin_graphql_api_id) }];
      }
      case 'shop/update':
        return [{ topic, payload: renderShopUpdate(profile, at), resourceId: String(profile.id) }];
      case 'shop/redact':
        return [{ topic, payload: renderShopRedact(profile), resourceId: String(profile.id) }];
      case 'app/uninstalled':
        return [
          {
            topic,
            payload: renderAppUninstalled(rng, profile, at),
            resourceId: String(profile.id),
          },
        ];
    }
  }

  private createOrder(
    shop: ShopState,
    at: Date,
  ): { topic: WebhookTopic; payload: JsonObject; resourceId: string } {
    const { rng } = this;
    const customer = rng.chance(0.3) ? this.newCustomer(shop, at) : rng.pick(shop.customers);
    const order = createOrderRecord(rng, {
      shop: shop.profile,
      catalog: shop.catalog,
      customer,
      number: shop.nextOrderNumber++,
      at,
    });
    shop.openOrders.push(order);
    if (shop.openOrders.length > MAX_OPEN_ORDERS) shop.openOrders.shift();
    const history = shop.ordersByCustomer.get(customer.id) ?? [];
    history.push(order.id);
    shop.ordersByCustomer.set(customer.id, history.slice(-10));
    return {
      topic: 'orders/create',
      payload: renderOrder(order, shop.profile),
      resourceId: String(order.id),
    };
  }

  private newCustomer(shop: ShopState, at: Date): CustomerRecord {
    const customer = createCustomerRecord(this.rng, at);
    shop.customers.push(customer);
    if (shop.customers.length > MAX_CUSTOMERS) {
      const [dropped] = shop.customers.splice(0, 1);
      if (dropped) shop.ordersByCustomer.delete(dropped.id);
    }
    return customer;
  }
}
