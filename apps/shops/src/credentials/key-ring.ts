/**
 * The token vault's keys, from `SHOPS_TOKEN_KEYS=kid:base64(32 bytes),kid2:…`. The first key is
 * active (new writes); every listed key decrypts, so a key is retired in two steps: put a new one
 * first and run `rotate-token-keys`, then remove the old one once no row names it.
 *
 * Errors name the entry's position and key id, never the key material.
 */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

export interface TokenKey {
  id: string;
  /** 32 bytes: AES-256. */
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class KeyRing {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(keys: TokenKey[]) {
    if (keys.length === 0) throw new KeyRingError('the key ring holds no key');
    const byId = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (byId.has(id)) throw new KeyRingError(`key id "${id}" is listed twice`);
      if (key.length !== 32) throw new KeyRingError(`key "${id}" is not 32 bytes`);
      byId.set(id, key);
    }
    this.byId = byId;
    this.activeId = keys[0].id;
  }

  /** The key id new values are sealed with. */
  readonly activeId: string;

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The key for `id`; throws (naming the id only) when the ring does not hold it. */
  key(id: string): Buffer {
    const key = this.byId.get(id);
    if (!key) throw new KeyRingError(`no key "${id}" in SHOPS_TOKEN_KEYS`);
    return key;
  }

  /** So a stray `console.log(config)` or a pino object dump shows ids, never bytes. */
  toJSON(): { active: string; ids: string[] } {
    return { active: this.activeId, ids: this.ids };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing(active=${this.activeId}, ids=${this.ids.join(',')})`;
  }
}

/** Parses `SHOPS_TOKEN_KEYS`; the messages are safe to print (positions and ids only). */
export function parseKeyRing(value: string): KeyRing {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) {
    throw new KeyRingError('SHOPS_TOKEN_KEYS lists no key (expected kid:base64-32-bytes,…)');
  }
  const keys = entries.map((entry, index): TokenKey => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const material = colon > 0 ? entry.slice(colon + 1) : '';
    const where = `SHOPS_TOKEN_KEYS entry ${index + 1}`;
    if (!KEY_ID.test(id)) {
      throw new KeyRingError(
        `${where}: expected kid:base64 with a key id of 1-32 letters, digits, _ or -`,
      );
    }
    if (!BASE64.test(material) || material.length % 4 !== 0) {
      throw new KeyRingError(`${where} (key "${id}"): the key is not base64`);
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) {
      throw new KeyRingError(
        `${where} (key "${id}"): the key is ${key.length} bytes, AES-256 needs 32 (openssl rand -base64 32)`,
      );
    }
    return { id, key };
  });
  return new KeyRing(keys);
}
