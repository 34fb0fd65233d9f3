import { createHash, timingSafeEqual } from 'node:crypto';

import bcrypt from 'bcryptjs';

import type { CredentialsObjectSecret } from '@tessera/registry-api';

/** Whether a secret may be used now: enabled and inside its validity window. */
export function isSecretUsable(secret: CredentialsObjectSecret, now: number = Date.now()): boolean {
  if (secret.enabled === false) return false;
  const notBefore = secret['not-before'];
  const notAfter = secret['not-after'];
  if (notBefore !== undefined && now < Date.parse(notBefore)) return false;
  if (notAfter !== undefined && now > Date.parse(notAfter)) return false;
  return true;
}

const SHA: Readonly<Record<string, string>> = { 'sha-256': 'sha256', 'sha-512': 'sha512' };

/**
 * Checks a password against a `hashed-password` secret as Hono's adapters do: bcrypt (Hono
 * accepts `$2a$` only; `$2b$`/`$2y$` hashes from other tools are accepted here too, as they verify
 * identically), or salted SHA-256/512 over (salt bytes + UTF-8 password), Base64-encoded.
 *
 * @returns whether the password matches; `false` for an unknown hash function or a malformed secret.
 */
export async function matchesPassword(
  secret: CredentialsObjectSecret,
  password: string,
): Promise<boolean> {
  const hash = secret['pwd-hash'];
  if (hash === undefined) return false;
  const fn = secret['hash-function'] ?? 'bcrypt';
  if (fn === 'bcrypt') {
    if (!/^\$2[aby]\$\d\d\$/.test(hash)) return false;
    return bcrypt.compare(password, hash);
  }
  const algorithm = SHA[fn];
  if (algorithm === undefined) return false;
  const salt = secret.salt === undefined ? Buffer.alloc(0) : Buffer.from(secret.salt, 'base64');
  const digest = createHash(algorithm)
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  const expected = Buffer.from(hash, 'base64');
  return expected.length === digest.length && timingSafeEqual(expected, digest);
}
