/**
 * The pure part of reconciling: given what a shop has and what is declared, what to create,
 * update, delete and leave alone. No I/O, so every rule is a small test.
 */

/** A subscription as the Admin API lists it, topic already mapped from the enum. */
export interface ActualSubscription {
  id: string;
  /** `orders/create`; for an enum value not known to contracts, the enum value itself. */
  topic: string;
  uri: string | null;
  apiVersion: string | null;
  format: string | null;
  includeFields: readonly string[];
  filter: string | null;
}

/** What one declared topic should look like on a shop. */
export interface DesiredSubscription {
  topic: string;
  uri: string;
  apiVersion: string;
  format: string;
  includeFields: readonly string[];
  filter: string | null;
}

export type SubscriptionField = 'uri' | 'api_version' | 'format' | 'include_fields' | 'filter';

export type PlannedAction =
  | { kind: 'create'; desired: DesiredSubscription }
  | {
      kind: 'update';
      desired: DesiredSubscription;
      actual: ActualSubscription;
      changes: SubscriptionField[];
    }
  | { kind: 'keep'; desired: DesiredSubscription; actual: ActualSubscription }
  | { kind: 'delete'; actual: ActualSubscription; reason: 'not_declared' | 'duplicate' };

export interface SubscriptionPlan {
  actions: PlannedAction[];
  /** Subscriptions on endpoints that are not ours: never changed, only counted. */
  foreign: ActualSubscription[];
}

/** Host (name and port) of a URL, lower-case; null when it does not parse. */
function hostOf(uri: string | null): string | null {
  if (!uri) return null;
  try {
    return new URL(uri).host.toLowerCase();
  } catch {
    return null;
  }
}

function normaliseUri(uri: string | null): string | null {
  if (!uri) return null;
  try {
    const url = new URL(uri);
    url.hash = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return uri;
  }
}

/**
 * Which subscriptions are ours: those whose endpoint is on the gateway's host, or on the host of
 * one of its former public URLs. The same app's subscriptions to anything else (another
 * system's HTTPS endpoint, Pub/Sub, EventBridge) are foreign and never touched.
 */
export class SubscriptionOwnership {
  private readonly hosts: Set<string>;

  constructor(endpoint: string, formerEndpoints: readonly string[] = []) {
    this.hosts = new Set(
      [endpoint, ...formerEndpoints].map(hostOf).filter((h): h is string => h !== null),
    );
  }

  owns(subscription: Pick<ActualSubscription, 'uri'>): boolean {
    const host = hostOf(subscription.uri);
    return host !== null && this.hosts.has(host);
  }
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((v) => right.has(v));
};

/** The fields of `actual` that differ from `desired` (empty and absent are the same thing). */
export function differences(
  desired: DesiredSubscription,
  actual: ActualSubscription,
): SubscriptionField[] {
  const changes: SubscriptionField[] = [];
  if (normaliseUri(actual.uri) !== normaliseUri(desired.uri)) changes.push('uri');
  if (actual.apiVersion !== desired.apiVersion) changes.push('api_version');
  if ((actual.format ?? 'JSON').toUpperCase() !== desired.format.toUpperCase())
    changes.push('format');
  if (!sameSet(actual.includeFields, desired.includeFields)) changes.push('include_fields');
  if ((actual.filter || null) !== (desired.filter || null)) changes.push('filter');
  return changes;
}

/**
 * One action per declared topic (create, update or keep), deletes for owned subscriptions that
 * are not declared or duplicate a declared one, and the foreign ones set aside. For a topic with
 * several owned subscriptions the one needing the fewest changes is kept.
 */
export function planSubscriptions(
  desired: readonly DesiredSubscription[],
  actual: readonly ActualSubscription[],
  ownership: SubscriptionOwnership,
): SubscriptionPlan {
  const foreign = actual.filter((s) => !ownership.owns(s));
  const owned = actual.filter((s) => ownership.owns(s));
  const ownedByTopic = new Map<string, ActualSubscription[]>();
  for (const s of owned) ownedByTopic.set(s.topic, [...(ownedByTopic.get(s.topic) ?? []), s]);

  const actions: PlannedAction[] = [];
  const declared = new Set<string>();
  for (const want of desired) {
    declared.add(want.topic);
    const candidates = (ownedByTopic.get(want.topic) ?? [])
      .map((s) => ({ s, changes: differences(want, s) }))
      .sort((a, b) => a.changes.length - b.changes.length || a.s.id.localeCompare(b.s.id));
    const [best, ...rest] = candidates;
    if (!best) actions.push({ kind: 'create', desired: want });
    else if (best.changes.length === 0)
      actions.push({ kind: 'keep', desired: want, actual: best.s });
    else actions.push({ kind: 'update', desired: want, actual: best.s, changes: best.changes });
    for (const extra of rest)
      actions.push({ kind: 'delete', actual: extra.s, reason: 'duplicate' });
  }
  for (const s of owned)
    if (!declared.has(s.topic)) actions.push({ kind: 'delete', actual: s, reason: 'not_declared' });
  return { actions, foreign };
}
