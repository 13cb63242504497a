import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring';

/** The sealed columns of `shops.credentials`; the name is part of the AAD. */
export type SealedColumn = 'access_token' | 'refresh_token';

export interface Sealed {
  keyId: string;
  /** 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag. */
  value: Buffer;
}

/** A sealed value that cannot be opened: unknown key id, wrong shop/column, or tampered bytes. */
export class TokenVaultError extends Error {
  override readonly name = 'TokenVaultError';
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for tokens at rest. The shop and the column are authenticated (AAD), so a row's
 * ciphertext moved to another shop or into the other column does not open. A fresh random IV per
 * seal: with 96-bit IVs that is safe far beyond the number of token writes a key will ever see.
 */
export class TokenVault {
  constructor(private readonly keys: KeyRing) {}

  get activeKeyId(): string {
    return this.keys.activeId;
  }

  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Seals under the active key (or `keyId`, for tests of old keys). */
  seal(shop: string, column: SealedColumn, plaintext: string, keyId = this.keys.activeId): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.key(keyId), iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(aad(shop, column));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId, value: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  open(shop: string, column: SealedColumn, sealed: Sealed): string {
    if (!this.keys.has(sealed.keyId)) {
      throw new TokenVaultError(
        `${column} of ${shop} is sealed with key "${sealed.keyId}", which SHOPS_TOKEN_KEYS no longer lists`,
      );
    }
    const { value } = sealed;
    if (value.length < IV_BYTES + TAG_BYTES) {
      throw new TokenVaultError(`${column} of ${shop} is too short to be a sealed value`);
    }
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        this.keys.key(sealed.keyId),
        value.subarray(0, IV_BYTES),
        { authTagLength: TAG_BYTES },
      );
      decipher.setAAD(aad(shop, column));
      decipher.setAuthTag(value.subarray(value.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(value.subarray(IV_BYTES, value.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // OpenSSL's message says nothing useful and nothing secret; ours says which row failed.
      throw new TokenVaultError(
        `${column} of ${shop} does not authenticate under key "${sealed.keyId}" (tampered, or moved from another row)`,
      );
    }
  }
}

function aad(shop: string, column: SealedColumn): Buffer {
  return Buffer.from(`shopwire.shops.credentials\u0000${shop}\u0000${column}`, 'utf8');
}

/** Hex SHA-256 of a token: compared against a caller's rejected token without decrypting. */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
