import { isJsonObject, type ShopifyJson } from '@shopwire/shopify';
import { ShopifyAdminError } from '../errors';

type JsonObject = { [key: string]: ShopifyJson };

/** One object of a bulk export with the nested objects that came as separate lines. */
export interface BulkRecord {
  /** The line's object, `__parentId` removed. */
  node: JsonObject;
  /** Lines whose `__parentId` is this node's id, in file order, each with its own children. */
  children: BulkRecord[];
}

export interface ReassemblyOptions {
  /**
   * Top-level objects kept open for late children. Shopify writes a parent before its children,
   * and in practice a parent's children right after it; a few open parents tolerate some
   * interleaving while keeping memory bounded to that many subtrees.
   */
  openParents?: number;
}

/** The type name of a Shopify GID (`gid://shopify/ProductVariant/1` → `ProductVariant`). */
export function gidType(id: ShopifyJson | undefined): string | null {
  if (typeof id !== 'string') return null;
  const match = /^gid:\/\/shopify\/([^/]+)\//.exec(id);
  return match ? match[1] : null;
}

/**
 * Regroups the lines of a bulk operation's JSONL into top-level records with their children (up
 * to Shopify's two levels of nesting), yielding each record once no more children can follow
 * within the window. A child whose parent has already been yielded cannot be attached without
 * unbounded memory: that is an error naming the window, not silently lost data.
 */
export async function* reassembleBulkLines(
  lines: AsyncIterable<ShopifyJson>,
  options: ReassemblyOptions = {},
): AsyncGenerator<BulkRecord> {
  const window = Math.max(1, options.openParents ?? 16);
  const open: BulkRecord[] = [];
  // every open node by id (roots and their descendants), and which root it belongs to
  const byId = new Map<string, { record: BulkRecord; root: BulkRecord }>();
  const idsOfRoot = new Map<BulkRecord, string[]>();

  const close = (root: BulkRecord) => {
    for (const id of idsOfRoot.get(root) ?? []) byId.delete(id);
    idsOfRoot.delete(root);
  };

  for await (const line of lines) {
    if (!isJsonObject(line))
      throw new ShopifyAdminError('BULK', 'a bulk result line is not a JSON object');
    const { __parentId: parentId, ...node } = line;
    const record: BulkRecord = { node, children: [] };
    const id = typeof node.id === 'string' ? node.id : null;
    if (parentId === undefined || parentId === null) {
      open.push(record);
      idsOfRoot.set(record, id ? [id] : []);
      if (id) byId.set(id, { record, root: record });
      if (open.length > window) {
        const done = open.shift()!;
        close(done);
        yield done;
      }
      continue;
    }
    const parent = typeof parentId === 'string' ? byId.get(parentId) : undefined;
    if (!parent)
      throw new ShopifyAdminError(
        'BULK',
        `a child line names parent ${String(parentId)}, which is not among the last ${window} ` +
          'top-level objects (its parent came too far back, or never)',
      );
    parent.record.children.push(record);
    if (id) {
      byId.set(id, { record, root: parent.root });
      idsOfRoot.get(parent.root)!.push(id);
    }
  }
  for (const root of open) {
    close(root);
    yield root;
  }
}
