// Secrets and their comparison. Comparisons go through timingSafeEqual, so the content of a
// presented token does not leak through timing.
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
 * A presented secret against a known one, in constant time for equal lengths. The default
 * token's length is public (43 characters), so a length mismatch may return early; it still
 * runs one comparison so both paths cost about the same.
 */
export function secretEquals(presented: string, known: Buffer): boolean {
  const bytes = Buffer.from(presented, 'utf8');
  if (bytes.length !== known.length) {
    timingSafeEqual(known, known);
    return false;
  }
  return timingSafeEqual(bytes, known);
}

/** hex SHA-256(salt ‖ secret), the form scoped tokens are stored in. */
export function saltedHash(salt: string, secret: string): string {
  return createHash('sha256').update(salt, 'utf8').update(secret, 'utf8').digest('hex');
}

export function hexEqual(a: string, b: string): boolean {
  return digestsEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
