import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, loadConfig } from '@tessera/config';

import {
  HttpServerConfig,
  LogConfig,
  logLevelsUpTo,
  resolveHttpServer,
} from './http-server.config';

const KEY = '-----BEGIN PRIVATE KEY-----\nmanagement-key-material-1234\n-----END PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nmanagement-cert\n-----END CERTIFICATE-----';
const CA = '-----BEGIN CERTIFICATE-----\nclient-ca\n-----END CERTIFICATE-----';

const listener = (env: Record<string, string>) =>
  resolveHttpServer(loadConfig({ http: HttpServerConfig }, env).http);

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig({ http: HttpServerConfig }, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
}

describe('management API listener (HTTP_*)', () => {
  it('serves plain HTTP on 28080 without a key, and no health port of its own', () => {
    expect(listener({})).toEqual({ host: '0.0.0.0', port: 28080, bodyLimit: '16kb' });
    expect(listener({ HTTP_PORT: '0' }).port).toBe(0);
  });

  it('serves HTTPS on 28443 (Hono’s port) with key and certificate from files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'http-tls-'));
    writeFileSync(join(dir, 'tls.key'), `${KEY}\n`);
    writeFileSync(join(dir, 'tls.crt'), `${CERT}\n`);
    writeFileSync(join(dir, 'ca.crt'), `${CA}\n`);
    const tls = listener({
      HTTP_TLS_KEY_FILE: join(dir, 'tls.key'),
      HTTP_TLS_CERT_FILE: join(dir, 'tls.crt'),
    });
    expect(tls).toEqual({
      host: '0.0.0.0',
      port: 28443,
      bodyLimit: '16kb',
      tls: { key: KEY, cert: CERT },
    });
    expect(
      listener({
        HTTP_TLS_KEY: KEY,
        HTTP_TLS_CERT: CERT,
        HTTP_TLS_CLIENT_CA_FILE: join(dir, 'ca.crt'),
        HTTP_PORT: '8443',
        HEALTH_PORT: '8088',
      }),
    ).toMatchObject({ port: 8443, healthPort: 8088, tls: { key: KEY, cert: CERT, clientCa: CA } });
  });

  it('refuses half a key pair or a client CA without one, never echoing the key', () => {
    const half = problemsOf({ HTTP_TLS_KEY: KEY });
    expect(half).toContain('HTTP_TLS_KEY and HTTP_TLS_CERT go together');
    expect(half).not.toContain('management-key-material-1234');
    expect(problemsOf({ HTTP_TLS_CLIENT_CA: CA })).toContain(
      'HTTP_TLS_CLIENT_CA needs HTTP_TLS_KEY and HTTP_TLS_CERT',
    );
    expect(problemsOf({ HTTP_TLS_KEY_FILE: '/nonexistent/tls.key' })).toContain(
      'HTTP_TLS_KEY_FILE: cannot read',
    );
    expect(problemsOf({ HEALTH_PORT: '70000' })).toContain('HEALTH_PORT (got "70000")');
  });

  it('takes just host, port and body limit (an adapter’s health port) as they are', () => {
    expect(resolveHttpServer({ host: '127.0.0.1', port: 8088, bodyLimit: '1kb' })).toEqual({
      host: '127.0.0.1',
      port: 8088,
      bodyLimit: '1kb',
    });
  });
});

describe('LOG_LEVEL', () => {
  it('logs warnings and errors by default, more when asked', () => {
    expect(loadConfig({ log: LogConfig }, {}).log).toEqual({ format: 'json', level: 'warn' });
    expect(logLevelsUpTo('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(logLevelsUpTo('debug')).toEqual(['fatal', 'error', 'warn', 'log', 'debug']);
    expect(() => loadConfig({ log: LogConfig }, { LOG_LEVEL: 'chatty' })).toThrow(/LOG_LEVEL/);
  });
});
