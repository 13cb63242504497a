/** One place a webhook goes: an endpoint, and the API subscription that asked for it, if any. */
export interface DeliveryTarget {
  url: string;
  /** The subscription's API version (`X-Shopify-API-Version`); the stream's otherwise. */
  apiVersion?: string;
  subscriptionId?: number;
}

export interface RoutingFacts {
  /**
   * The stream's explicit `targetUrl`: an app-configuration subscription (`shopify.app.toml`) for
   * the stream's topics, delivered for every shop of the stream.
   */
  appConfigUrl?: string;
  /** `GATEWAY_URL`: where shops the simulator does not manage get their webhooks (legacy). */
  defaultUrl: string;
  /** A shop with issued tokens, an uninstall or an API subscription ever: subscriptions rule. */
  isManaged(shop: string): boolean;
  /** The shop's API subscriptions for the topic. */
  subscriptions(shop: string, topic: string): { id: number; uri: string; apiVersion: string }[];
}

const isHttp = (uri: string) => /^https?:\/\//.test(uri);

/**
 * Where one webhook of `topic` on `shop` goes, as Shopify decides: one delivery per distinct
 * endpoint among the shop's API subscriptions for the topic and the app configuration's. A shop
 * the simulator does not manage (seeded by tests, benchmarks and the demo before installs
 * existed) keeps the old behaviour: the stream's URL. An empty answer: nobody subscribed, the
 * webhook is not sent. Pub/Sub and EventBridge endpoints are never called.
 */
export function deliveryTargets(
  shop: string,
  topic: string,
  facts: RoutingFacts,
): DeliveryTarget[] {
  const targets = new Map<string, DeliveryTarget>();
  // API subscriptions first, so a failing endpoint they share with the app configuration is
  // still attributed to (and removed from) the subscription.
  for (const subscription of facts.subscriptions(shop, topic)) {
    if (!isHttp(subscription.uri) || targets.has(subscription.uri)) continue;
    targets.set(subscription.uri, {
      url: subscription.uri,
      apiVersion: subscription.apiVersion,
      subscriptionId: subscription.id,
    });
  }
  const fallback = facts.appConfigUrl ?? (facts.isManaged(shop) ? undefined : facts.defaultUrl);
  if (fallback !== undefined && !targets.has(fallback)) targets.set(fallback, { url: fallback });
  return [...targets.values()];
}
