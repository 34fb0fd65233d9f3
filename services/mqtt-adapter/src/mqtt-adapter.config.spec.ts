import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, loadConfig } from '@tessera/config';

import { MqttAdapterConfig } from './mqtt-adapter.config';

describe('MqttAdapterConfig', () => {
  it('has Hono’s defaults', () => {
    expect(loadConfig({ mqtt: MqttAdapterConfig }, {}).mqtt).toEqual({
      host: '0.0.0.0',
      port: 1883,
      insecureEnabled: true,
      tlsPort: 8883,
      tlsKey: undefined,
      tlsCert: undefined,
      authenticationRequired: true,
      maxInFlight: 100,
      connectTimeoutMs: 10_000,
      maxConnections: 50_000,
      tenantConnectRate: 200,
      tenantConnectBurst: 400,
      drainTimeoutMs: 10_000,
      healthHost: '0.0.0.0',
      healthPort: 8088,
    });
  });

  it('reads the TLS key and certificate from _FILE variables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtt-config-'));
    writeFileSync(join(dir, 'key.pem'), 'KEY\n');
    writeFileSync(join(dir, 'cert.pem'), 'CERT\n');
    const { mqtt } = loadConfig(
      { mqtt: MqttAdapterConfig },
      {
        MQTT_ADAPTER_TLS_KEY_FILE: join(dir, 'key.pem'),
        MQTT_ADAPTER_TLS_CERT_FILE: join(dir, 'cert.pem'),
        MQTT_ADAPTER_INSECURE_ENABLED: 'false',
        MQTT_MAX_IN_FLIGHT: '10',
      },
    );
    expect(mqtt).toMatchObject({
      tlsKey: 'KEY',
      tlsCert: 'CERT',
      insecureEnabled: false,
      maxInFlight: 10,
    });
  });

  it('reads the connection limits; a tenant connect rate of 0 is allowed (no limit)', () => {
    const { mqtt } = loadConfig(
      { mqtt: MqttAdapterConfig },
      {
        MQTT_ADAPTER_MAX_CONNECTIONS: '2',
        MQTT_ADAPTER_TENANT_CONNECT_RATE: '0.5',
        MQTT_ADAPTER_TENANT_CONNECT_BURST: '3',
      },
    );
    expect(mqtt).toMatchObject({
      maxConnections: 2,
      tenantConnectRate: 0.5,
      tenantConnectBurst: 3,
    });
    expect(
      loadConfig({ mqtt: MqttAdapterConfig }, { MQTT_ADAPTER_TENANT_CONNECT_RATE: '0' }).mqtt
        .tenantConnectRate,
    ).toBe(0);
  });

  it.each([
    ['MQTT_ADAPTER_MAX_CONNECTIONS', '0'],
    ['MQTT_ADAPTER_TENANT_CONNECT_RATE', '-1'],
    ['MQTT_ADAPTER_TENANT_CONNECT_RATE', 'fast'],
    ['MQTT_ADAPTER_TENANT_CONNECT_BURST', '0'],
    ['MQTT_ADAPTER_TENANT_CONNECT_BURST', '1.5'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadConfig({ mqtt: MqttAdapterConfig }, { [name]: value })).toThrow(ConfigError);
  });

  it('lists every invalid variable', () => {
    expect(() =>
      loadConfig({ mqtt: MqttAdapterConfig }, { MQTT_ADAPTER_PORT: 'x', MQTT_MAX_IN_FLIGHT: '0' }),
    ).toThrow(ConfigError);
  });
});
