// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), the second factor a remote
// client proves when it registers. Codes come from otpauth; the comparison and the replay rule
// are ours: a code is compared in constant time against each step of the accepted window, and
// a step once used (or any earlier one) is never accepted again for the same credential.
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

export const TOTP_ISSUER = 'Skill';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECS = 30;
/** Steps either side of now that still count: one, for a clock a few seconds off. */
export const TOTP_WINDOW_STEPS = 1;

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParams {
  digits?: number;
  periodSecs?: number;
  algorithm?: TotpAlgorithm;
}

/** A new 160-bit secret (RFC 4226 §4 recommends at least 160 bits), base32 as authenticator apps expect. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The 30-second step a Unix time in milliseconds falls into. */
export function totpStep(unixMs: number, periodSecs = TOTP_PERIOD_SECS): number {
  return Math.floor(unixMs / 1000 / periodSecs);
}

/** The code for one step (HOTP with the step as counter). */
export function codeForStep(secretBytes: Uint8Array, step: number, params: TotpParams = {}): string {
  return HOTP.generate({
    secret: new Secret({ buffer: toArrayBuffer(secretBytes) }),
    counter: step,
    digits: params.digits ?? TOTP_DIGITS,
    algorithm: params.algorithm ?? 'SHA1',
  });
}

/** The code at a Unix time in milliseconds. */
export function totpCode(secretBytes: Uint8Array, unixMs: number, params: TotpParams = {}): string {
  return codeForStep(secretBytes, totpStep(unixMs, params.periodSecs), params);
}

export function secretBytesFromBase32(base32: string): Uint8Array {
  return new Uint8Array(Secret.fromBase32(base32).buffer);
}

/**
 * The step a presented code matches, or null. Every step of the window is compared (no early
 * exit) so the time taken does not say which one matched; steps at or before `lastUsedStep`
 * are refused, which makes a code single-use even inside its own window.
 */
export function matchTotp(
  secretBytes: Uint8Array,
  presented: string,
  unixMs: number,
  lastUsedStep: number | null,
  params: TotpParams = {},
): number | null {
  const digits = params.digits ?? TOTP_DIGITS;
  const candidate = Buffer.from(presented.trim(), 'utf8');
  const now = totpStep(unixMs, params.periodSecs);
  let matched: number | null = null;
  for (let step = now - TOTP_WINDOW_STEPS; step <= now + TOTP_WINDOW_STEPS; step++) {
    const expected = Buffer.from(codeForStep(secretBytes, step, params), 'utf8');
    // The code length is public (`digits`), so only equal-length input reaches the comparison.
    const same = candidate.length === digits && candidate.length === expected.length && timingSafeEqual(expected, candidate);
    if (same && matched === null && (lastUsedStep === null || step > lastUsedStep)) matched = step;
  }
  return matched;
}

/** The `otpauth://totp/…` URI authenticator apps import (Key Uri Format). */
export function otpauthUrl(base32: string, label: string): string {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECS,
    secret: Secret.fromBase32(base32),
  }).toString();
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
