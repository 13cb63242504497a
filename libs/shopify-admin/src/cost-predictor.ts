import {
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * Shopify charges a query's *requested* cost up front and refuses it (THROTTLED) when the bucket
 * holds less. To wait for the points instead of being refused, the client must know the cost
 * before sending. Shopify's calculation (shopify.dev, "API rate limits"), as far as it can be
 * applied without the schema:
 *   - a scalar or enum field costs 0, an object field 1;
 *   - a connection (a field with `first`/`last`) costs 2 + n × the cost of one node, where the
 *     node is the object under `edges { node }` or `nodes` (the `edges`/`pageInfo` scaffolding
 *     is not charged);
 *   - a plain list of objects sized by `ids`/`names` costs one object per member;
 *   - a mutation field costs 10, plus its selection (objects in the payload may in fact be
 *     covered by the 10; charging them predicts a little high, which is the safe side);
 *   - of alternative type-conditioned fragments (a union or interface), the dearest counts.
 * A field with a selection set is taken as an object, one without as a scalar. Where this guess
 * is wrong, the first reply's `requestedQueryCost` is learned per query shape and wins.
 */
export const MUTATION_FIELD_COST = 10;
export const CONNECTION_BASE_COST = 2;

export class CostPredictionError extends Error {
  override readonly name = 'CostPredictionError';
}

type Variables = Record<string, unknown> | undefined;

interface Context {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  /** Fragment names being expanded, so a cyclic spread (invalid GraphQL) cannot loop. */
  expanding: Set<string>;
}

/** The requested cost Shopify would compute for `query` with `variables`. */
export function predictQueryCost(query: string | DocumentNode, variables?: Variables): number {
  let document: DocumentNode;
  try {
    document = typeof query === 'string' ? parse(query) : query;
  } catch (error) {
    throw new CostPredictionError(`query does not parse: ${(error as Error).message}`);
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  if (operations.length === 0) throw new CostPredictionError('query has no operation');
  const context: Context = { fragments, variables, expanding: new Set() };
  // A document with several operations runs one of them; charge the dearest.
  return Math.max(...operations.map((operation) => operationCost(operation, context)));
}

function operationCost(operation: OperationDefinitionNode, context: Context): number {
  if (operation.operation !== 'mutation') return selectionCost(operation.selectionSet, context);
  let cost = 0;
  for (const field of fieldsOf(operation.selectionSet, context))
    cost +=
      MUTATION_FIELD_COST + (field.selectionSet ? selectionCost(field.selectionSet, context) : 0);
  return cost;
}

/** The fields a selection set always selects, plus the dearest of its alternative fragments. */
function selectionCost(selectionSet: SelectionSetNode, context: Context): number {
  let cost = 0;
  let dearestAlternative = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      cost += fieldCost(selection, context);
    } else {
      const fragment = fragmentSelection(selection, context);
      const fragmentCost = withExpansion(selection, context, () =>
        selectionCost(fragment.selectionSet, context),
      );
      if (fragment.typed) dearestAlternative = Math.max(dearestAlternative, fragmentCost);
      else cost += fragmentCost;
    }
  }
  return cost + dearestAlternative;
}

function fieldCost(field: FieldNode, context: Context): number {
  if (!field.selectionSet) return 0;
  const size = connectionSize(field, context);
  if (size !== null) return CONNECTION_BASE_COST + size * nodeCost(field.selectionSet, context);
  return listSize(field, context) * (1 + selectionCost(field.selectionSet, context));
}

/**
 * A plain list of objects (not a connection) is sized by the argument naming its members
 * (`nodes(ids: [...])`): one object's cost per id. Without one, a list counts as one object.
 */
function listSize(field: FieldNode, context: Context): number {
  for (const argument of field.arguments ?? []) {
    if (argument.name.value !== 'ids' && argument.name.value !== 'names') continue;
    if (argument.value.kind === Kind.LIST) return Math.max(1, argument.value.values.length);
    const value = literal(argument.value, context.variables);
    if (Array.isArray(value)) return Math.max(1, value.length);
  }
  return 1;
}

/** One node of a connection: the object under `edges { node }` or `nodes`. */
function nodeCost(connection: SelectionSetNode, context: Context): number {
  let cost = 0;
  for (const field of fieldsOf(connection, context)) {
    const name = field.name.value;
    // both selected: both are charged
    if (name === 'nodes' && field.selectionSet)
      cost += 1 + selectionCost(field.selectionSet, context);
    if (name === 'edges' && field.selectionSet) {
      for (const edgeField of fieldsOf(field.selectionSet, context))
        if (edgeField.name.value === 'node' && edgeField.selectionSet)
          cost += 1 + selectionCost(edgeField.selectionSet, context);
    }
  }
  // A connection asked only for `pageInfo` or cursors still charges one per requested node.
  return Math.max(cost, 1);
}

function connectionSize(field: FieldNode, context: Context): number | null {
  for (const argument of field.arguments ?? []) {
    const name = argument.name.value;
    if (name !== 'first' && name !== 'last') continue;
    const value = literal(argument.value, context.variables);
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, value);
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  }
  return null;
}

function literal(value: ValueNode, variables: Variables): unknown {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) return variables?.[value.name.value];
  return undefined;
}

/** The fields of a selection set with fragments flattened (for scaffolding lookups). */
function fieldsOf(selectionSet: SelectionSetNode, context: Context): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else {
      const fragment = fragmentSelection(selection, context);
      withExpansion(selection, context, () =>
        fields.push(...fieldsOf(fragment.selectionSet, context)),
      );
    }
  }
  return fields;
}

function fragmentSelection(
  selection: Exclude<SelectionSetNode['selections'][number], FieldNode>,
  context: Context,
): { selectionSet: SelectionSetNode; typed: boolean } {
  if (selection.kind === Kind.INLINE_FRAGMENT)
    return { selectionSet: selection.selectionSet, typed: !!selection.typeCondition };
  const definition = context.fragments.get(selection.name.value);
  if (!definition) throw new CostPredictionError(`unknown fragment ${selection.name.value}`);
  return { selectionSet: definition.selectionSet, typed: true };
}

function withExpansion<T>(
  selection: Exclude<SelectionSetNode['selections'][number], FieldNode>,
  context: Context,
  work: () => T,
): T {
  if (selection.kind !== Kind.FRAGMENT_SPREAD) return work();
  const name = selection.name.value;
  if (context.expanding.has(name)) throw new CostPredictionError(`fragment ${name} spreads itself`);
  context.expanding.add(name);
  try {
    return work();
  } finally {
    context.expanding.delete(name);
  }
}

/**
 * A key for "the same query again": the text plus the numeric variables (which size
 * connections). Cursors and other strings do not change the cost, so every page of one paginated
 * export shares a key.
 */
export function queryShapeKey(query: string, variables?: Variables): string {
  const sizing = Object.entries(variables ?? {})
    .filter(([, value]) => typeof value === 'number')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return sizing.length ? `${query}\u0000${JSON.stringify(sizing)}` : query;
}

/**
 * Predicts from Shopify's own number where it has seen the shape before, else from the static
 * calculation. Bounded, least-recently-used first out, so ad-hoc queries cannot grow it forever.
 */
export class CostPredictor {
  private readonly learned = new Map<string, number>();

  constructor(private readonly maxShapes = 1000) {}

  predict(query: string, variables?: Variables, expectedCost?: number): number {
    const key = queryShapeKey(query, variables);
    const known = this.learned.get(key);
    if (known !== undefined) {
      this.learned.delete(key);
      this.learned.set(key, known);
      return known;
    }
    if (expectedCost !== undefined) return expectedCost;
    return predictQueryCost(query, variables);
  }

  learn(query: string, variables: Variables, requestedQueryCost: number): void {
    const key = queryShapeKey(query, variables);
    this.learned.delete(key);
    this.learned.set(key, requestedQueryCost);
    if (this.learned.size > this.maxShapes)
      this.learned.delete(this.learned.keys().next().value as string);
  }
}
