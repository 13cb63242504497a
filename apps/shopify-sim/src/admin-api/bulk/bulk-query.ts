import {
  getNamedType,
  isObjectType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { isConnectionTypeName, pickOperation } from '../graphql/query-cost';

/** Shopify's limits on a bulk query. */
export const MAX_BULK_CONNECTIONS = 5;
export const MAX_BULK_NESTING = 2;
/** Roots fetched per internal page; nested connections are read in full up to this many. */
export const BULK_PAGE_SIZE = 250;

export class BulkQueryError extends Error {
  override readonly name = 'BulkQueryError';
}

/** A checked bulk query: the root connection and a document that reads it page by page. */
export interface BulkPlan {
  /** Response key of the root connection. */
  rootField: string;
  /** Where its nodes are in the result, and their selection. */
  rootNode: NonNullable<ReturnType<typeof connectionNode>>;
  /** The query with `first`/`after` on the root set from `$__simFirst`/`$__simAfter`. */
  document: DocumentNode;
  /** Response key of the injected page info on the root connection. */
  pageInfoKey: string;
  fragments: Map<string, FragmentDefinitionNode>;
}

const PAGE_INFO_KEY = '__simPageInfo';

const variable = (name: string) =>
  ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } }) as const;
const argument = (name: string, value: ArgumentNode['value']): ArgumentNode => ({
  kind: Kind.ARGUMENT,
  name: { kind: Kind.NAME, value: name },
  value,
});
const PAGING_ARGS = new Set(['first', 'last', 'after', 'before']);

/**
 * Checks a bulk query as Shopify does — valid against the schema, one root connection, at most
 * five connections, nested at most two deep, a parent of a nested connection selecting `id` (it
 * becomes the children's `__parentId`) — and rewrites it for paged execution.
 */
export function planBulkQuery(schema: GraphQLSchema, query: string): BulkPlan {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 20_000 });
  } catch (error) {
    throw new BulkQueryError(`Invalid bulk query: ${(error as Error).message}`);
  }
  const errors = validate(schema, document);
  if (errors.length > 0) throw new BulkQueryError(`Invalid bulk query: ${errors[0]!.message}`);
  const operation = pickOperation(document);
  if (operation.operation !== 'query')
    throw new BulkQueryError('Invalid bulk query: bulk queries must be queries');
  if ((operation.variableDefinitions ?? []).length > 0)
    throw new BulkQueryError('Invalid bulk query: bulk queries cannot use variables');
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);

  const root = schema.getQueryType()!;
  const roots = [...collectFields(operation.selectionSet, root, fragments)];
  if (roots.length !== 1)
    throw new BulkQueryError('Invalid bulk query: select exactly one top-level connection field');
  const [rootKey, rootNodes] = roots[0]!;
  const rootDefinition = root.getFields()[rootNodes[0]!.name.value]!;
  const rootType = getNamedType(rootDefinition.type);
  if (!isConnectionTypeName(rootType.name))
    throw new BulkQueryError(
      `Invalid bulk query: the top-level field '${rootKey}' is not a connection`,
    );

  let connections = 0;
  const check = (set: SelectionSetNode, type: GraphQLObjectType, depth: number, path: string) => {
    let hasId = false;
    const nested: string[] = [];
    for (const [key, nodes] of collectFields(set, type, fragments)) {
      const definition = type.getFields()[nodes[0]!.name.value];
      if (!definition) continue;
      if (definition.name === 'id') hasId = true;
      const named = getNamedType(definition.type);
      if (!isObjectType(named)) continue;
      const selections = merge(nodes);
      if (isConnectionTypeName(named.name)) {
        connections += 1;
        if (depth + 1 > MAX_BULK_NESTING)
          throw new BulkQueryError(
            `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_BULK_NESTING}.`,
          );
        nested.push(key);
        const node = connectionNode(named, selections, fragments);
        if (node) check(node.selectionSet, node.type, depth + 1, `${path}.${key}`);
      } else {
        check(selections, named, depth, `${path}.${key}`);
      }
    }
    if (nested.length > 0 && depth > 0 && !hasId)
      throw new BulkQueryError(
        `The parent 'node' field for a nested connection must select the 'id' field. Connection fields without 'id': ${path}.`,
      );
  };
  connections += 1;
  const rootNode = connectionNode(rootType as GraphQLObjectType, merge(rootNodes), fragments);
  if (!rootNode)
    throw new BulkQueryError(
      `Invalid bulk query: '${rootKey}' selects neither edges { node } nor nodes`,
    );
  check(rootNode.selectionSet, rootNode.type, 1, rootKey);
  if (connections > MAX_BULK_CONNECTIONS)
    throw new BulkQueryError(
      `Bulk queries cannot contain more than ${MAX_BULK_CONNECTIONS} connections.`,
    );

  return {
    rootField: rootKey,
    rootNode,
    document: rewrite(document, rootNodes[0]!, schema),
    pageInfoKey: PAGE_INFO_KEY,
    fragments,
  };
}

/** The node selection of a connection field, through `edges { node }` or `nodes`. */
export function connectionNode(
  connection: GraphQLObjectType,
  selections: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
): {
  selectionSet: SelectionSetNode;
  type: GraphQLObjectType;
  key: string;
  viaEdges: string | null;
} | null {
  for (const [key, nodes] of collectFields(selections, connection, fragments)) {
    const definition = connection.getFields()[nodes[0]!.name.value];
    if (!definition) continue;
    const named = getNamedType(definition.type);
    if (definition.name === 'nodes' && isObjectType(named))
      return { selectionSet: merge(nodes), type: named, key, viaEdges: null };
    if (definition.name === 'edges' && isObjectType(named)) {
      for (const [nodeKey, edgeNodes] of collectFields(merge(nodes), named, fragments)) {
        const nodeType = getNamedType(named.getFields()[edgeNodes[0]!.name.value]?.type);
        if (edgeNodes[0]!.name.value === 'node' && nodeType && isObjectType(nodeType))
          return { selectionSet: merge(edgeNodes), type: nodeType, key: nodeKey, viaEdges: key };
      }
    }
  }
  return null;
}

const PAGE_INFO_SELECTION = (
  parse('{ hasNextPage endCursor }').definitions[0] as { selectionSet: SelectionSetNode }
).selectionSet;

/**
 * Root connection: `first: $__simFirst, after: $__simAfter` plus injected page info. Nested
 * connections: `first: 250` (a bulk query reads children in full; the simulator's have at most
 * five). Paging arguments the client wrote are dropped, as Shopify ignores them in bulk queries.
 */
function rewrite(
  document: DocumentNode,
  rootField: FieldNode,
  schema: GraphQLSchema,
): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        const type = (name: string) =>
          ({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: name } }) as const;
        return {
          ...node,
          variableDefinitions: [
            { kind: Kind.VARIABLE_DEFINITION, variable: variable('__simFirst'), type: type('Int') },
            {
              kind: Kind.VARIABLE_DEFINITION,
              variable: variable('__simAfter'),
              type: type('String'),
            },
          ],
        };
      },
      Field(node) {
        const named = typeInfo.getType() && getNamedType(typeInfo.getType());
        if (!named || !isConnectionTypeName(named.name)) return undefined;
        const keep = (node.arguments ?? []).filter((arg) => !PAGING_ARGS.has(arg.name.value));
        if (node !== rootField)
          return {
            ...node,
            arguments: [
              ...keep,
              argument('first', { kind: Kind.INT, value: String(BULK_PAGE_SIZE) }),
            ],
          };
        return {
          ...node,
          arguments: [
            ...keep,
            argument('first', variable('__simFirst')),
            argument('after', variable('__simAfter')),
          ],
          selectionSet: {
            ...node.selectionSet!,
            selections: [
              ...node.selectionSet!.selections,
              {
                kind: Kind.FIELD,
                alias: { kind: Kind.NAME, value: PAGE_INFO_KEY },
                name: { kind: Kind.NAME, value: 'pageInfo' },
                selectionSet: PAGE_INFO_SELECTION,
              },
            ],
          },
        };
      },
    }),
  );
  const errors = validate(schema, rewritten);
  if (errors.length > 0) throw new BulkQueryError(`Invalid bulk query: ${errors[0]!.message}`);
  return rewritten;
}

export function collectFields(
  set: SelectionSetNode,
  type: GraphQLObjectType,
  fragments: Map<string, FragmentDefinitionNode>,
  into = new Map<string, FieldNode[]>(),
): Map<string, FieldNode[]> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      into.set(key, [...(into.get(key) ?? []), selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (!selection.typeCondition || selection.typeCondition.name.value === type.name)
        collectFields(selection.selectionSet, type, fragments, into);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && fragment.typeCondition.name.value === type.name)
        collectFields(fragment.selectionSet, type, fragments, into);
    }
  }
  return into;
}

export function merge(nodes: FieldNode[]): SelectionSetNode {
  return {
    kind: Kind.SELECTION_SET,
    selections: nodes.flatMap((node) => node.selectionSet?.selections ?? []),
  };
}
