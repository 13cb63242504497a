import {
  getNamedType,
  isObjectType,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type SelectionSetNode,
} from 'graphql';
import { isConnectionTypeName } from '../graphql/query-cost';
import { collectFields, connectionNode, merge } from './bulk-query';

type Json = Record<string, unknown>;

/** The nodes of an executed connection value, read back through the keys the query used. */
export function connectionNodes(
  value: unknown,
  node: NonNullable<ReturnType<typeof connectionNode>>,
): Json[] {
  if (!value || typeof value !== 'object') return [];
  const connection = value as Json;
  if (node.viaEdges === null) return (connection[node.key] as Json[] | undefined) ?? [];
  const edges = (connection[node.viaEdges] as Json[] | undefined) ?? [];
  return edges.map((edge) => edge[node.key] as Json).filter(Boolean);
}

/**
 * Shopify's bulk JSONL shape for one node: its own fields on one line, each node of a nested
 * connection on its own line after it with `__parentId` set to the parent's id (connections are
 * never inlined). Yields lines so the caller can write them with backpressure.
 */
export function* bulkLines(
  node: Json,
  selections: SelectionSetNode,
  type: GraphQLObjectType,
  fragments: Map<string, FragmentDefinitionNode>,
  parentId: string | null,
): Generator<Json> {
  const line: Json = {};
  const children: { value: unknown; connection: NonNullable<ReturnType<typeof connectionNode>> }[] =
    [];
  for (const [key, nodes] of collectFields(selections, type, fragments)) {
    const definition = type.getFields()[nodes[0]!.name.value];
    const named = definition && getNamedType(definition.type);
    if (named && isObjectType(named) && isConnectionTypeName(named.name)) {
      const connection = connectionNode(named, merge(nodes), fragments);
      if (connection) children.push({ value: node[key], connection });
    } else if (key in node) {
      line[key] = node[key];
    }
  }
  if (parentId !== null) line.__parentId = parentId;
  yield line;
  for (const { value, connection } of children) {
    for (const child of connectionNodes(value, connection)) {
      yield* bulkLines(
        child,
        connection.selectionSet,
        connection.type,
        fragments,
        (node.id as string) ?? null,
      );
    }
  }
}
