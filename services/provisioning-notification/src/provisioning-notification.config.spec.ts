import { ConfigError, loadConfig } from '@tessera/config';

import { ProvisioningNotificationConfig, tenantApiUrl } from './provisioning-notification.config';

const load = (env: Record<string, string>) =>
  loadConfig({ service: ProvisioningNotificationConfig }, env).service;

describe('ProvisioningNotificationConfig', () => {
  it('requires the Tenant API URL and has defaults for the rest', () => {
    expect(() => load({})).toThrow(ConfigError);
    expect(load({ TENANT_AMQP_URL: 'amqp://tenant:5672' })).toMatchObject({
      registryTimeoutMs: 2_000,
      tenantCacheMaxAgeSeconds: 60,
      sendTimeoutMs: 5_000,
      healthHost: '0.0.0.0',
      healthPort: 8088,
    });
  });

  it('adds the SASL user to the Tenant API URL unless the URL has one', () => {
    const config = load({
      TENANT_AMQP_URL: 'amqps://tenant:5671',
      REGISTRY_AMQP_USERNAME: 'pn',
      REGISTRY_AMQP_PASSWORD: 'p@ss',
    });
    expect(tenantApiUrl(config)).toBe('amqps://pn:p%40ss@tenant:5671');
    expect(tenantApiUrl({ ...config, tenantUrl: 'amqp://other:x@tenant:5672' })).toBe(
      'amqp://other:x@tenant:5672',
    );
    expect(tenantApiUrl(load({ TENANT_AMQP_URL: 'amqp://tenant:5672' }))).toBe(
      'amqp://tenant:5672',
    );
  });

  it('refuses an unknown messaging type', () => {
    expect(() =>
      load({ TENANT_AMQP_URL: 'amqp://tenant:5672', DEFAULT_MESSAGING_TYPE: 'pubsub' }),
    ).toThrow(/DEFAULT_MESSAGING_TYPE/);
  });
});
