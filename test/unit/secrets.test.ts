import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/logger.js';
import { keyIdOf, SEALED_AT, SecretBox } from '../../src/shared/secret-box.js';
import { createCipheriv } from 'node:crypto';

const HERE = SEALED_AT.supplierPassword('row-1');

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('round-trips, with a fresh IV each time, and names its key', () => {
    const a = box.seal('Chorus-Pass-1', HERE);
    const b = box.seal('Chorus-Pass-1', HERE);
    expect(a).not.toBe(b);
    expect(a).not.toContain('Chorus-Pass-1');
    expect(a.split('.').slice(0, 2)).toEqual(['v2', keyIdOf(key)]);
    expect(box.open(a, HERE)).toBe('Chorus-Pass-1');
  });

  it('refuses a tampered value and another key', () => {
    const sealed = box.seal('secret', HERE);
    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[4]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 1;
    expect(() => box.open([...parts.slice(0, 4), ciphertext.toString('base64url')].join('.'), HERE)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, HERE)).toThrow(/not in SECRET_KEYS/);
  });

  it('binds a value to its row: copied to another row, it does not open', () => {
    const sealed = box.seal('password of row 1', HERE);
    expect(() => box.open(sealed, SEALED_AT.supplierPassword('row-2'))).toThrow();
    expect(() => box.open(sealed, SEALED_AT.webhookSecret('row-1'))).toThrow();
  });

  it('rotates: the newest key seals, the older ones still open, and v1 values (no binding) still open', () => {
    const [older, newer] = [randomBytes(32), randomBytes(32)];
    const before = new SecretBox(older).seal('kept', HERE);
    const rotated = new SecretBox([newer, older]);
    expect(rotated.open(before, HERE)).toBe('kept');
    expect(rotated.isCurrent(before)).toBe(false);
    const resealed = rotated.seal(rotated.open(before, HERE), HERE);
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(new SecretBox(newer).open(resealed, HERE)).toBe('kept');
    // A value of the first format: v1.<iv>.<tag>.<ciphertext>, no key id, no associated data.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', older, iv);
    const ct = Buffer.concat([cipher.update('legacy', 'utf8'), cipher.final()]);
    const v1 = [
      'v1',
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join('.');
    expect(rotated.open(v1, HERE)).toBe('legacy');
  });
});

describe('redact', () => {
  it('masks secret keys at any depth, and buffers', () => {
    const out = redact({
      invoiceId: 'abc',
      nested: { chorusPassword: 'p', list: [{ Authorization: 'Bearer x' }], file: { contentBase64: 'AAAA' } },
      fileContent: Buffer.from('bytes'),
      other: Buffer.from('12345'),
    });
    expect(out).toEqual({
      invoiceId: 'abc',
      nested: {
        chorusPassword: '[redacted]',
        list: [{ Authorization: '[redacted]' }],
        file: { contentBase64: '[redacted]' },
      },
      fileContent: '[redacted]',
      other: '[5 bytes]',
    });
  });
});
