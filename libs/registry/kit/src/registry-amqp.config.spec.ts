import bcrypt from 'bcryptjs';

import { ConfigError, loadConfig } from '@tessera/config';

import {
  isGranted,
  PROTOCOL_ADAPTER_GRANTS,
  RegistryAmqpConfig,
  resolveRegistryAmqp,
} from './registry-amqp.config';

const HASH = bcrypt.hashSync('pw', 4);
const config = (env: Record<string, string>) => loadConfig({ amqp: RegistryAmqpConfig }, env).amqp;
const distributed = { embeddedDevMode: false, defaultHost: '0.0.0.0' };
const embedded = { embeddedDevMode: true, defaultHost: '127.0.0.1' };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('registry AMQP endpoint config', () => {
  it('grants protocol adapters get on tenant and credentials/*, assert on registration/*', () => {
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'tenant', 'get')).toBe(true);
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'registration/t1', 'assert')).toBe(true);
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'credentials/t1', 'get')).toBe(true);
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'credentials/t1', undefined)).toBe(true);
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'registration/t1', 'get')).toBe(false);
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'tenant', 'assert')).toBe(false);
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'registration', undefined)).toBe(false);
    expect(isGranted(PROTOCOL_ADAPTER_GRANTS, 'notification/x', undefined)).toBe(false);
  });

  it('authenticates users by bcrypt hash and authorizes by their grants', async () => {
    const options = resolveRegistryAmqp(
      config({
        AMQP_USERS: `adapter:${HASH},scoped:${HASH}`,
        AMQP_PERMISSIONS: 'scoped=registration/t1:assert|credentials/t1:*',
      }),
      distributed,
    );
    expect(options).toMatchObject({ host: '0.0.0.0', port: 5672 });
    const { authenticate, authorize, allowAnonymous } = options.security;
    expect(allowAnonymous).toBe(false);
    expect(await authenticate?.('adapter', 'pw')).toBe(true);
    expect(await authenticate?.('adapter', 'wrong')).toBe(false);
    expect(await authenticate?.('nobody', 'pw')).toBe(false);
    expect(authorize?.('adapter', 'credentials/t9', 'get')).toBe(true);
    expect(authorize?.('scoped', 'registration/t1', 'assert')).toBe(true);
    expect(authorize?.('scoped', 'credentials/t1', 'get')).toBe(true);
    expect(authorize?.('scoped', 'registration/t2', 'assert')).toBe(false);
    expect(authorize?.('scoped', 'tenant', 'get')).toBe(false);
    expect(authorize?.(undefined, 'tenant', 'get')).toBe(false);
  });

  it('allows anonymous clients only in embedded mode on loopback without users', () => {
    expect(resolveRegistryAmqp(config({}), embedded).security).toEqual({ allowAnonymous: true });
    expect(
      problemsOf(() => resolveRegistryAmqp(config({ AMQP_HOST: '0.0.0.0' }), embedded)),
    ).toEqual([expect.stringContaining('AMQP_USERS (or AMQP_USERS_FILE) is required')]);
    expect(problemsOf(() => resolveRegistryAmqp(config({}), distributed))).toEqual([
      expect.stringContaining('never accepts anonymous clients'),
    ]);
    // Users given on loopback are wanted: no anonymous access then.
    const withUsers = resolveRegistryAmqp(config({ AMQP_USERS: `a:${HASH}` }), embedded);
    expect(withUsers.security.allowAnonymous).toBe(false);
  });

  it('lists every problem without echoing secrets', () => {
    const problems = problemsOf(() =>
      resolveRegistryAmqp(
        config({
          AMQP_USERS: `a:${HASH},broken-entry-secret`,
          AMQP_PERMISSIONS: 'ghost=tenant:get;a=tenant get',
          AMQP_TLS_KEY: 'KEY',
        }),
        distributed,
      ),
    );
    expect(problems).toEqual([
      'AMQP_USERS: entry 2 is not user:bcrypt-hash',
      'AMQP_PERMISSIONS: "ghost" is no user of AMQP_USERS',
      'AMQP_PERMISSIONS: "tenant get" is not address:operation',
      'AMQP_TLS_KEY and AMQP_TLS_CERT go together',
    ]);
    expect(problems.join()).not.toContain('secret');
    expect(problems.join()).not.toContain(HASH);
  });

  it('listens on 5671 with TLS unless a port is given', () => {
    const tls = { AMQP_USERS: `a:${HASH}`, AMQP_TLS_KEY: 'k', AMQP_TLS_CERT: 'c' };
    expect(resolveRegistryAmqp(config(tls), distributed)).toMatchObject({
      port: 5671,
      tls: { key: 'k', cert: 'c' },
    });
    expect(resolveRegistryAmqp(config({ ...tls, AMQP_PORT: '6000' }), distributed).port).toBe(6000);
  });
});
