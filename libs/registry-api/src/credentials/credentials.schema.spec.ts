import { issuePaths } from '../testing/issue-paths';
import {
  bcryptCostFactor,
  CredentialSchema,
  CredentialsSetSchema,
  stripSecrets,
  type CredentialsSet,
} from './credentials.schema';

const BCRYPT = '$2a$10$N7UMjhZ2hYx.yuvW9WVXZ.4y33mr6MvnpAsZ8wgLHnkamH2tZ1jD.';

describe('CredentialSchema', () => {
  const sut = CredentialSchema;

  it.each([
    [
      'pre-hashed password',
      {
        type: 'hashed-password',
        'auth-id': 'sensor1',
        secrets: [
          {
            'pwd-hash': 'AQIDBAUGBwg=',
            salt: 'Mq7wFw==',
            'hash-function': 'sha-512',
            'not-after': '2027-12-24T19:00:00Z',
          },
        ],
      },
    ],
    [
      'plain password for an existing secret',
      {
        type: 'hashed-password',
        'auth-id': 'sensor1',
        secrets: [{ id: '349556ea', 'pwd-plain': 'newpassword' }],
      },
    ],
    [
      'password metadata only',
      {
        enabled: true,
        type: 'hashed-password',
        'auth-id': 'sensor1',
        secrets: [{ id: '349556ea', 'not-after': '2027-12-24T19:00:00Z' }],
      },
    ],
    [
      'bcrypt password',
      {
        type: 'hashed-password',
        'auth-id': 'gw',
        ext: { 'client-id': 'x' },
        comment: 'gateway',
        secrets: [{ 'hash-function': 'bcrypt', 'pwd-hash': BCRYPT, enabled: false }],
      },
    ],
    ['psk', { type: 'psk', 'auth-id': 'sensor1', secrets: [{ key: 'Y29hcC1zZWNyZXQ=' }] }],
    [
      'x509 by subject DN',
      { type: 'x509-cert', 'auth-id': 'CN=Device 4711,O=ACME', secrets: [{}] },
    ],
    ['x509 by certificate', { type: 'x509-cert', cert: 'Tk9UIEEgQ0VSVA==' }],
    [
      'rpk by key',
      { type: 'rpk', 'auth-id': 'sensor1', secrets: [{ key: 'Tk9UIEEgS0VZ', algorithm: 'EC' }] },
    ],
    ['rpk by certificate', { type: 'rpk', 'auth-id': 'sensor1', secrets: [{ cert: 'Tk9U' }] }],
    [
      'custom type',
      {
        type: 'my-token',
        'auth-id': 'dev1',
        secrets: [{ token: 'abc', 'not-before': '2020-01-01T00:00:00Z' }],
        x: 1,
      },
    ],
  ])('accepts %s', (_name, credential) => {
    expect(sut.parse(credential)).toEqual(credential);
  });

  it.each([
    ['missing type', { 'auth-id': 'a', secrets: [{}] }, 'type'],
    ['invalid type', { type: 'Hashed_Password', 'auth-id': 'a', secrets: [{}] }, 'type'],
    ['missing auth-id', { type: 'psk', secrets: [{ key: 'Tk9U' }] }, 'auth-id'],
    [
      'password auth-id with @',
      { type: 'hashed-password', 'auth-id': 'a@b', secrets: [{ 'pwd-plain': 'x' }] },
      'auth-id',
    ],
    ['no secrets', { type: 'psk', 'auth-id': 'a', secrets: [] }, 'secrets'],
    [
      'unknown credential member',
      { type: 'psk', 'auth-id': 'a', foo: 1, secrets: [{ key: 'Tk9U' }] },
      'foo',
    ],
    [
      'unknown secret member',
      { type: 'psk', 'auth-id': 'a', secrets: [{ key: 'Tk9U', pwd: 'x' }] },
      'secrets/0/pwd',
    ],
    ['psk without key', { type: 'psk', 'auth-id': 'a', secrets: [{}] }, 'secrets/0/key'],
    [
      'password without anything',
      { type: 'hashed-password', 'auth-id': 'a', secrets: [{ comment: 'x' }] },
      'secrets/0/pwd-hash',
    ],
    [
      'hash without hash function',
      { type: 'hashed-password', 'auth-id': 'a', secrets: [{ 'pwd-hash': 'AQID' }] },
      'secrets/0/hash-function',
    ],
    [
      'non-2a bcrypt hash',
      {
        type: 'hashed-password',
        'auth-id': 'a',
        secrets: [{ 'hash-function': 'bcrypt', 'pwd-hash': BCRYPT.replace('$2a$', '$2y$') }],
      },
      'secrets/0/pwd-hash',
    ],
    [
      'validity window ending before it starts',
      {
        type: 'psk',
        'auth-id': 'a',
        secrets: [
          {
            key: 'Tk9U',
            'not-before': '2030-01-01T00:00:00Z',
            'not-after': '2020-01-01T00:00:00Z',
          },
        ],
      },
      'secrets/0/not-before',
    ],
    [
      'invalid date-time',
      { type: 'psk', 'auth-id': 'a', secrets: [{ key: 'Tk9U', 'not-after': '2020-01-01' }] },
      'secrets/0/not-after',
    ],
    [
      'x509 with two secrets',
      { type: 'x509-cert', 'auth-id': 'CN=a', secrets: [{}, {}] },
      'secrets',
    ],
    ['x509 without auth-id or cert', { type: 'x509-cert', secrets: [{}] }, 'auth-id'],
    [
      'rpk without key or cert',
      { type: 'rpk', 'auth-id': 'a', secrets: [{ algorithm: 'EC' }] },
      'secrets/0/key',
    ],
  ])('rejects %s', (_name, credential, path) => {
    const result = sut.safeParse(credential);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });
});

describe('CredentialsSetSchema', () => {
  const sut = CredentialsSetSchema;

  it('accepts an empty set', () => {
    expect(sut.parse([])).toEqual([]);
  });

  it('allows the same auth-id for different types', () => {
    const set = [
      { type: 'hashed-password', 'auth-id': 'sensor1', secrets: [{ 'pwd-plain': 'x' }] },
      { type: 'psk', 'auth-id': 'sensor1', secrets: [{ key: 'Tk9U' }] },
    ];
    expect(sut.safeParse(set).success).toBe(true);
  });

  it('rejects two credentials with the same type and auth-id', () => {
    const set = [
      { type: 'psk', 'auth-id': 'sensor1', secrets: [{ key: 'Tk9U' }] },
      { type: 'psk', 'auth-id': 'sensor1', secrets: [{ key: 'Tk9V' }] },
    ];
    expect(issuePaths(sut.safeParse(set))).toContain('1/auth-id');
  });
});

describe(stripSecrets.name, () => {
  const stored: CredentialsSet = CredentialsSetSchema.parse([
    {
      type: 'hashed-password',
      'auth-id': 'sensor1',
      enabled: true,
      secrets: [
        {
          id: 's1',
          'hash-function': 'sha-512',
          'pwd-hash': 'AQIDBAUGBwg=',
          salt: 'Mq7wFw==',
          'not-after': '2027-12-24T19:00:00Z',
          comment: 'kept',
        },
        { id: 's2', 'pwd-plain': 'never-stored' },
      ],
    },
    { type: 'psk', 'auth-id': 'sensor1', secrets: [{ id: 's3', key: 'Y29hcC1zZWNyZXQ=' }] },
    { type: 'x509-cert', 'auth-id': 'CN=a', cert: 'Tk9U', secrets: [{ id: 's4' }] },
    {
      type: 'rpk',
      'auth-id': 'sensor1',
      secrets: [{ id: 's5', key: 'Tk9UIEEgS0VZ', algorithm: 'EC', cert: 'Tk9U' }],
    },
    { type: 'my-token', 'auth-id': 'dev1', secrets: [{ id: 's6', token: 'abc' }] },
  ]);

  it('removes confidential and write-only members but keeps ids and metadata', () => {
    expect(stripSecrets(stored)).toEqual([
      {
        type: 'hashed-password',
        'auth-id': 'sensor1',
        enabled: true,
        secrets: [{ id: 's1', 'not-after': '2027-12-24T19:00:00Z', comment: 'kept' }, { id: 's2' }],
      },
      { type: 'psk', 'auth-id': 'sensor1', secrets: [{ id: 's3' }] },
      { type: 'x509-cert', 'auth-id': 'CN=a', secrets: [{ id: 's4' }] },
      {
        type: 'rpk',
        'auth-id': 'sensor1',
        secrets: [{ id: 's5', key: 'Tk9UIEEgS0VZ', algorithm: 'EC' }],
      },
      { type: 'my-token', 'auth-id': 'dev1', secrets: [{ id: 's6', token: 'abc' }] },
    ]);
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(stored);
    stripSecrets(stored);
    expect(JSON.stringify(stored)).toBe(before);
  });

  it('produces a set that still parses (patch mode)', () => {
    expect(CredentialsSetSchema.safeParse(stripSecrets(stored)).success).toBe(true);
  });
});

describe(bcryptCostFactor.name, () => {
  it('reads the cost of a $2a$ hash', () => {
    expect(bcryptCostFactor(BCRYPT)).toBe(10);
  });

  it('returns undefined for other hashes', () => {
    expect(bcryptCostFactor(BCRYPT.replace('$2a$', '$2b$'))).toBeUndefined();
    expect(bcryptCostFactor('AQID')).toBeUndefined();
  });
});
