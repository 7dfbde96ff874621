// Secrets and their comparison. Comparisons take the same time whatever the content of a
// presented token, so it does not leak through timing.
import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, URL-safe base64 without padding (43 characters). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A presented secret against a known one, in constant time for equal lengths: every UTF-16 unit
 * is compared and the differences are OR-ed, with no branch on their values. The default
 * token's length is public (43 characters), so a length mismatch may return early; it still
 * runs one comparison so both paths cost about the same. Done on the strings rather than with
 * timingSafeEqual because it runs on every request, and encoding the presented token into a
 * new Buffer first cost more than the comparison.
 */
export function secretEquals(presented: string, known: string): boolean {
  const same = presented.length === known.length;
  const other = same ? presented : known;
  let diff = same ? 0 : 1;
  for (let i = 0; i < known.length; i++) diff |= other.charCodeAt(i) ^ known.charCodeAt(i);
  return diff === 0;
}

/** hex SHA-256(salt ‖ secret), the form scoped tokens are stored in. */
export function saltedHash(salt: string, secret: string): string {
  return createHash('sha256').update(salt, 'utf8').update(secret, 'utf8').digest('hex');
}

export function hexEqual(a: string, b: string): boolean {
  return digestsEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
