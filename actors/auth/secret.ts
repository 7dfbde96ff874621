// Secrets and their comparison. Every comparison is between SHA-256 digests with
// timingSafeEqual, so neither the content nor the length of a presented token leaks through timing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, URL-safe base64 without padding (43 characters). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** hex SHA-256(salt ‖ secret), the form scoped tokens are stored in. */
export function saltedHash(salt: string, secret: string): string {
  return createHash('sha256').update(salt, 'utf8').update(secret, 'utf8').digest('hex');
}

export function hexEqual(a: string, b: string): boolean {
  return digestsEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
