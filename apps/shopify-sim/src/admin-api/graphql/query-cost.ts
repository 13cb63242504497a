import {
  defaultFieldResolver,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Shopify's calculated query cost (shopify.dev, "API rate limits"): scalars and enums 0, an
 * object 1, a connection 2 plus `first`/`last` times the cost of one of its nodes, a mutation 10.
 * The requested cost is computed here from the document alone, before anything runs, so a query
 * can be refused (MAX_COST_EXCEEDED, THROTTLED) without doing its work. The actual cost applies
 * the same rules to what execution really returned (see `costCountingResolver`).
 *
 * Within a mutation the 10 points cover the payload and its plain objects; connections selected
 * inside the payload are charged as anywhere else.
 */
export const OBJECT_COST = 1;
export const CONNECTION_COST = 2;
export const MUTATION_COST = 10;

export const isConnectionTypeName = (name: string) => name.endsWith('Connection');
const isEdgeTypeName = (name: string) => name.endsWith('Edge');
/** Lists that are not connections are sized by the argument that names their members. */
const LIST_SIZE_ARGUMENTS = ['ids', 'names'] as const;

type Variables = Record<string, unknown>;

export class QueryCostError extends Error {
  override readonly name = 'QueryCostError';
}

/** The requested cost of the operation that would run (`operationName`, or the only one). */
export function requestedQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Variables = {},
  operationName?: string | null,
): number {
  const operation = pickOperation(document, operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const root =
    operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!root) throw new QueryCostError(`this schema has no ${operation.operation} type`);
  return new CostWalker(schema, fragments, variables).selectionSetCost(
    operation.selectionSet,
    root,
    false,
  );
}

export function pickOperation(
  document: DocumentNode,
  operationName?: string | null,
): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) {
    throw new QueryCostError(
      operationName
        ? `Unknown operation named "${operationName}".`
        : 'Must provide operation name if query contains multiple operations.',
    );
  }
  return operation;
}

class CostWalker {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Variables,
  ) {}

  /** An abstract type costs as much as its most expensive possible member. */
  selectionSetCost(set: SelectionSetNode, type: GraphQLCompositeType, free: boolean): number {
    const candidates = isAbstractType(type)
      ? this.schema.getPossibleTypes(type)
      : [type as GraphQLObjectType];
    let max = 0;
    for (const candidate of candidates) {
      let sum = 0;
      for (const nodes of this.collectFields(set, candidate).values()) {
        sum += this.fieldCost(nodes, candidate, free);
      }
      max = Math.max(max, sum);
    }
    return max;
  }

  private fieldCost(nodes: FieldNode[], parent: GraphQLObjectType, free: boolean): number {
    const node = nodes[0]!;
    const definition = parent.getFields()[node.name.value];
    if (!definition) return 0; // __typename, or a field validation already rejected
    const named = getNamedType(definition.type);
    if (isLeafType(named) || !isCompositeType(named)) return 0;
    const selections = mergeSelections(nodes);
    const args = getArgumentValues(definition, node, this.variables);

    if (parent === this.schema.getMutationType()) {
      return MUTATION_COST + this.selectionSetCost(selections, named, true);
    }
    if (isConnectionTypeName(named.name)) {
      const size = numberArg(args.first) ?? numberArg(args.last) ?? 0;
      return CONNECTION_COST + size * this.connectionNodeCost(selections, named);
    }
    const listSize = isListType(getNullableType(definition.type))
      ? (LIST_SIZE_ARGUMENTS.map((name) => args[name]).find(Array.isArray)?.length ?? 1)
      : 1;
    const own = free ? 0 : OBJECT_COST;
    return listSize * (own + this.selectionSetCost(selections, named, free));
  }

  /** What one node of a connection costs, reached through `edges { node }` and/or `nodes`. */
  private connectionNodeCost(set: SelectionSetNode, connection: GraphQLCompositeType): number {
    if (!isObjectType(connection)) return OBJECT_COST;
    let cost = 0;
    for (const [, nodes] of this.collectFields(set, connection)) {
      const field = nodes[0]!.name.value;
      const definition = connection.getFields()[field];
      if (!definition) continue;
      const named = getNamedType(definition.type);
      if (field === 'nodes' && isCompositeType(named)) {
        cost += OBJECT_COST + this.selectionSetCost(mergeSelections(nodes), named, false);
      } else if (field === 'edges' && isObjectType(named) && isEdgeTypeName(named.name)) {
        for (const [, edgeNodes] of this.collectFields(mergeSelections(nodes), named)) {
          const edgeField = named.getFields()[edgeNodes[0]!.name.value];
          const nodeType = edgeField && getNamedType(edgeField.type);
          if (edgeNodes[0]!.name.value === 'node' && nodeType && isCompositeType(nodeType)) {
            cost +=
              OBJECT_COST + this.selectionSetCost(mergeSelections(edgeNodes), nodeType, false);
          }
        }
      }
      // pageInfo and cursors are part of the connection's own 2 points.
    }
    return cost;
  }

  /** GraphQL's CollectFields: fields by response key, through fragments that apply to `type`. */
  private collectFields(
    set: SelectionSetNode,
    type: GraphQLObjectType,
    into = new Map<string, FieldNode[]>(),
    visited = new Set<string>(),
  ): Map<string, FieldNode[]> {
    for (const selection of set.selections) {
      if (!this.included(selection)) continue;
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          into.set(key, [...(into.get(key) ?? []), selection]);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type))
            this.collectFields(selection.selectionSet, type, into, visited);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          const fragment = this.fragments.get(name);
          if (!fragment || visited.has(name)) break;
          visited.add(name);
          if (this.applies(fragment.typeCondition.name.value, type))
            this.collectFields(fragment.selectionSet, type, into, visited);
          break;
        }
      }
    }
    return into;
  }

  private applies(condition: string, type: GraphQLObjectType): boolean {
    const conditionType = this.schema.getType(condition);
    if (!conditionType) return false;
    if (conditionType === type) return true;
    return isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }

  private included(node: Parameters<typeof getDirectiveValues>[1]): boolean {
    const skip = getDirectiveValues(GraphQLSkipDirective, node, this.variables);
    if (skip?.if === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, node, this.variables);
    return include?.if !== false;
  }
}

function mergeSelections(nodes: FieldNode[]): SelectionSetNode {
  return {
    kind: Kind.SELECTION_SET,
    selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []),
  };
}

function numberArg(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : undefined;
}

/** Running total of the actual cost of one execution. */
export interface CostCounter {
  actual: number;
}

/**
 * The default field resolver, charging each resolved field by the same rules as the requested
 * cost but for what came back: a connection's nodes are counted as returned, not as asked for,
 * which is where Shopify's refund comes from. A null object still costs its 1 (Shopify charges
 * a `product(id:)` that finds nothing), but nothing below it is charged.
 */
export function costCountingResolver(counter: CostCounter): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const value = defaultFieldResolver(source, args, context, info);
    const charge = (resolved: unknown) => {
      counter.actual += actualFieldCost(info, resolved);
      return resolved;
    };
    return value instanceof Promise ? value.then(charge) : charge(value);
  };
}

function actualFieldCost(info: GraphQLResolveInfo, resolved: unknown): number {
  const named = getNamedType(info.returnType);
  if (isLeafType(named)) return 0;
  const parent = info.parentType;
  if (parent === info.schema.getMutationType()) return MUTATION_COST;
  if (isConnectionTypeName(named.name)) return CONNECTION_COST;
  if (isEdgeTypeName(named.name) || named.name === 'PageInfo') return 0;
  const isConnectionNode =
    (isEdgeTypeName(parent.name) && info.fieldName === 'node') ||
    (isConnectionTypeName(parent.name) && info.fieldName === 'nodes');
  if (!isConnectionNode && info.operation.operation === 'mutation' && !insideConnection(info))
    return 0;
  if (Array.isArray(resolved)) return resolved.filter((item) => item != null).length * OBJECT_COST;
  return OBJECT_COST;
}

function insideConnection(info: GraphQLResolveInfo): boolean {
  for (let path: GraphQLResolveInfo['path'] | undefined = info.path; path; path = path.prev) {
    if (path.typename && (isConnectionTypeName(path.typename) || isEdgeTypeName(path.typename)))
      return true;
  }
  return false;
}
