/**
 * AES-256-GCM encryption of credentials at rest (Chorus technical-account passwords, webhook secrets, the shared
 * PISTE token). Stored form: `v2.<key id>.<iv>.<tag>.<ciphertext>`, each part base64url. The key id names the key
 * (keys rotate: SECRET_KEYS, newest first), and each value is bound to where it lives (`binding`, e.g. its table
 * and row id) as associated data: a sealed value copied to another row does not open there.
 * `v1.<iv>.<tag>.<ciphertext>` values (no key id, no binding) still open with any key, until `npm run secrets:reseal`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';

/** A short, stable name for a key: the first 8 hex characters of its SHA-256 (not enough to learn anything of it). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SecretBox {
  readonly #keys: Array<{ id: string; key: Buffer }>;

  /** `keys` newest first: the first seals, all open. */
  constructor(keys: Buffer | readonly Buffer[]) {
    const list = Buffer.isBuffer(keys) ? [keys] : [...keys];
    if (list.length === 0 || list.some((k) => k.length !== 32)) throw new Error('SecretBox needs 32-byte keys');
    this.#keys = list.map((key) => ({ id: keyIdOf(key), key }));
  }

  /** The id of the key that seals. */
  get currentKeyId(): string {
    return this.#keys[0]!.id;
  }

  seal(plaintext: string, binding: string): string {
    const { id, key } = this.#keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    cipher.setAAD(Buffer.from(binding, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v2',
      id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
  }

  /** Throws if the value was altered, sealed with a key we no longer have, or sealed for another binding. */
  open(sealed: string, binding: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      const key = this.#keys.find((k) => k.id === id);
      if (!key) throw new Error(`This secret was sealed with key ${id}, which is not in SECRET_KEYS`);
      return decrypt(key.key, iv, tag, ciphertext, binding);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, ciphertext] = parts as [string, string, string, string];
      for (const { key } of this.#keys) {
        try {
          return decrypt(key, iv, tag, ciphertext, null);
        } catch {
          // another key, maybe
        }
      }
      throw new Error('This secret (format v1) does not open with any key of SECRET_KEYS');
    }
    throw new Error('Unrecognised sealed secret format');
  }

  /** Whether a value is sealed the current way: format v2 under the newest key. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2.${this.currentKeyId}.`);
  }
}

function decrypt(key: Buffer, iv: string, tag: string, ciphertext: string, binding: string | null): string {
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'));
  if (binding !== null) decipher.setAAD(Buffer.from(binding, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** Where each sealed value lives: its binding. */
export const SEALED_AT = {
  supplierPassword: (supplierAccountId: string) => `supplier_account:${supplierAccountId}:chorus_password`,
  webhookSecret: (subscriptionId: string) => `subscription:${subscriptionId}:secret`,
  pisteToken: (keyPrefix: string) => `redis:${keyPrefix}:piste-token`,
};
