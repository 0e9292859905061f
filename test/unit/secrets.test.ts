import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact } from '../../src/logger.js';
import { SecretBox } from '../../src/shared/secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips, with a fresh IV each time', () => {
    const a = box.seal('Chorus-Pass-1');
    const b = box.seal('Chorus-Pass-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('Chorus-Pass-1');
    expect(box.open(a)).toBe('Chorus-Pass-1');
  });

  it('refuses a tampered value and another key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[3]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 1;
    expect(() => box.open([parts[0], parts[1], parts[2], ciphertext.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
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
      nested: { chorusPassword: '[redacted]', list: [{ Authorization: '[redacted]' }], file: { contentBase64: '[redacted]' } },
      fileContent: '[redacted]',
      other: '[5 bytes]',
    });
  });
});
