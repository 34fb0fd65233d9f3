import { createHash } from 'node:crypto';

import bcrypt from 'bcryptjs';

import { isSecretUsable, matchesPassword } from './password';

function sha(algorithm: string, salt: Buffer, password: string): string {
  return createHash(algorithm)
    .update(Buffer.concat([salt, Buffer.from(password)]))
    .digest('base64');
}

describe(matchesPassword.name, () => {
  const salt = Buffer.from('pepper');

  it('verifies bcrypt hashes ($2a$ as Hono writes them, $2b$ too)', async () => {
    const hash = bcrypt.hashSync('pw', 4);
    expect(await matchesPassword({ 'hash-function': 'bcrypt', 'pwd-hash': hash }, 'pw')).toBe(true);
    expect(await matchesPassword({ 'pwd-hash': hash }, 'pw')).toBe(true);
    expect(await matchesPassword({ 'pwd-hash': hash }, 'other')).toBe(false);
    const a = hash.replace(/^\$2b\$/, '$2a$');
    expect(await matchesPassword({ 'pwd-hash': a }, 'pw')).toBe(true);
  });

  it.each(['sha-256', 'sha-512'])('verifies salted %s over salt + password', async (fn) => {
    const algorithm = fn.replace('-', '');
    const secret = {
      'hash-function': fn,
      salt: salt.toString('base64'),
      'pwd-hash': sha(algorithm, salt, 'pw'),
    };
    expect(await matchesPassword(secret, 'pw')).toBe(true);
    expect(await matchesPassword(secret, 'pW')).toBe(false);
    expect(await matchesPassword({ ...secret, salt: undefined }, 'pw')).toBe(false);
  });

  it('refuses unknown hash functions, missing hashes and malformed bcrypt strings', async () => {
    expect(await matchesPassword({ 'hash-function': 'md5', 'pwd-hash': 'x' }, 'pw')).toBe(false);
    expect(await matchesPassword({ 'hash-function': 'bcrypt' }, 'pw')).toBe(false);
    expect(await matchesPassword({ 'pwd-hash': 'not-bcrypt' }, 'pw')).toBe(false);
  });
});

describe(isSecretUsable.name, () => {
  const now = Date.parse('2026-06-01T00:00:00Z');

  it('honours enabled and the validity window', () => {
    expect(isSecretUsable({}, now)).toBe(true);
    expect(isSecretUsable({ enabled: false }, now)).toBe(false);
    expect(isSecretUsable({ 'not-before': '2026-07-01T00:00:00Z' }, now)).toBe(false);
    expect(isSecretUsable({ 'not-after': '2026-05-01T00:00:00Z' }, now)).toBe(false);
    expect(
      isSecretUsable(
        { 'not-before': '2026-05-01T00:00:00Z', 'not-after': '2026-07-01T00:00:00Z' },
        now,
      ),
    ).toBe(true);
  });
});
