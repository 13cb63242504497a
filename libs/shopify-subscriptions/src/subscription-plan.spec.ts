import {
  differences,
  planSubscriptions,
  SubscriptionOwnership,
  type ActualSubscription,
  type DesiredSubscription,
} from './subscription-plan';

const ENDPOINT = 'https://hooks.example.com/webhooks/shopify';
const ownership = new SubscriptionOwnership(ENDPOINT, ['https://old-gw.example.com/hooks']);

const want = (topic: string, extra: Partial<DesiredSubscription> = {}): DesiredSubscription => ({
  topic,
  uri: ENDPOINT,
  apiVersion: '2026-01',
  format: 'JSON',
  includeFields: [],
  filter: null,
  ...extra,
});

let next = 0;
const have = (topic: string, extra: Partial<ActualSubscription> = {}): ActualSubscription => ({
  id: `gid://shopify/WebhookSubscription/${(next += 1)}`,
  topic,
  uri: ENDPOINT,
  apiVersion: '2026-01',
  format: 'JSON',
  includeFields: [],
  filter: null,
  ...extra,
});

const kinds = (desired: DesiredSubscription[], actual: ActualSubscription[]) =>
  planSubscriptions(desired, actual, ownership).actions.map((a) =>
    a.kind === 'delete'
      ? `delete ${a.actual.topic} (${a.reason})`
      : a.kind === 'update'
        ? `update ${a.desired.topic} [${a.changes.join(',')}]`
        : `${a.kind} ${a.desired.topic}`,
  );

describe('SubscriptionOwnership', () => {
  it.each([
    [ENDPOINT, true],
    ['https://hooks.example.com/webhooks/old-path', true],
    ['https://HOOKS.example.com/webhooks/shopify/', true],
    ['https://old-gw.example.com/anything', true],
    ['https://hooks.example.com:8443/webhooks/shopify', false],
    ['https://other.example.com/webhooks/shopify', false],
    ['pubsub://project:topic', false],
    ['arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/1/x', false],
    [null, false],
  ])('%s → %s', (uri, owned) => {
    expect(ownership.owns({ uri })).toBe(owned);
  });
});

describe('differences', () => {
  it('sees nothing when only the trailing slash, empty filter or field order differ', () => {
    expect(
      differences(
        want('orders/create', { includeFields: ['id', 'updated_at'] }),
        have('orders/create', {
          uri: `${ENDPOINT}/`,
          filter: '',
          includeFields: ['updated_at', 'id'],
        }),
      ),
    ).toEqual([]);
  });

  it('names each field that differs', () => {
    expect(
      differences(
        want('orders/create', { includeFields: ['id'], filter: 'status:active' }),
        have('orders/create', {
          uri: 'https://hooks.example.com/wrong',
          apiVersion: '2025-01',
          format: 'XML',
        }),
      ),
    ).toEqual(['uri', 'api_version', 'format', 'include_fields', 'filter']);
  });
});

describe('planSubscriptions', () => {
  it('creates what is missing and keeps what is right', () => {
    expect(
      kinds([want('orders/create'), want('products/update')], [have('orders/create')]),
    ).toEqual(['keep orders/create', 'create products/update']);
  });

  it('updates an owned subscription with a wrong endpoint or version rather than adding one', () => {
    expect(
      kinds(
        [want('orders/create'), want('orders/updated')],
        [
          have('orders/create', { uri: 'https://old-gw.example.com/hooks' }),
          have('orders/updated', { apiVersion: '2025-07' }),
        ],
      ),
    ).toEqual(['update orders/create [uri]', 'update orders/updated [api_version]']);
  });

  it('deletes owned subscriptions no longer declared, and duplicates, keeping the best one', () => {
    const right = have('orders/create');
    const plan = planSubscriptions(
      [want('orders/create')],
      [have('orders/create', { uri: `${ENDPOINT}/x` }), right, have('carts/create')],
      ownership,
    );
    expect(plan.actions.find((a) => a.kind === 'keep')).toMatchObject({ actual: right });
    expect(
      plan.actions.filter((a) => a.kind === 'delete').map((a) => a.kind === 'delete' && a.reason),
    ).toEqual(['duplicate', 'not_declared']);
  });

  it('never touches a foreign subscription, even on a declared topic', () => {
    const foreignSame = have('orders/create', { uri: 'https://erp.example.net/shopify' });
    const foreignOther = have('customers/create', { uri: 'pubsub://proj:topic' });
    const plan = planSubscriptions([want('orders/create')], [foreignSame, foreignOther], ownership);
    expect(plan.foreign).toEqual([foreignSame, foreignOther]);
    expect(plan.actions).toEqual([{ kind: 'create', desired: want('orders/create') }]);
  });

  it('does nothing twice: a plan for the result of a plan is all keeps', () => {
    const desired = [want('orders/create'), want('app/uninstalled')];
    const after = desired.map((d) => have(d.topic));
    expect(kinds(desired, after)).toEqual(['keep orders/create', 'keep app/uninstalled']);
  });
});
