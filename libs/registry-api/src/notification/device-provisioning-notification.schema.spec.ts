import { DeviceIdSchema, TenantIdSchema } from '../common/ids';
import {
  DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE,
  DeviceProvisioningNotificationPropertiesSchema,
  deviceProvisioningNotificationProperties,
  effectiveEventTtlMillis,
} from './device-provisioning-notification.schema';

const TENANT = TenantIdSchema.parse('DEFAULT_TENANT');
const DEVICE = DeviceIdSchema.parse('4711');
const GATEWAY = DeviceIdSchema.parse('gw-1');

describe(deviceProvisioningNotificationProperties.name, () => {
  it('builds Hono’s properties for a device provisioned via certificate', () => {
    expect(
      deviceProvisioningNotificationProperties({ tenantId: TENANT, deviceId: DEVICE }),
    ).toEqual({
      'content-type': 'application/vnd.eclipse-hono-device-provisioning-notification',
      hono_registration_status: 'NEW',
      tenant_id: 'DEFAULT_TENANT',
      device_id: '4711',
      orig_adapter: 'hono-device-registry',
      orig_address: 'event',
    });
  });

  it('adds the gateway for gateway-based provisioning', () => {
    const sut = deviceProvisioningNotificationProperties({
      tenantId: TENANT,
      deviceId: DEVICE,
      gatewayId: GATEWAY,
    });
    expect(sut.gateway_id).toBe('gw-1');
  });

  it('applies tenant and device defaults (device wins) without overriding its own properties', () => {
    const sut = deviceProvisioningNotificationProperties({
      tenantId: TENANT,
      deviceId: DEVICE,
      tenantDefaults: { importance: 'low', region: 'eu', 'content-type': 'text/plain' },
      deviceDefaults: { importance: 'high', device_id: 'spoofed', ttl: 30 },
      maxTtlSeconds: 60,
    });
    expect(sut).toMatchObject({
      importance: 'high',
      region: 'eu',
      'content-type': DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE,
      device_id: '4711',
      ttl: 30000,
    });
  });

  it('parses back with the properties schema', () => {
    const properties = deviceProvisioningNotificationProperties({
      tenantId: TENANT,
      deviceId: DEVICE,
      gatewayId: GATEWAY,
    });
    expect(DeviceProvisioningNotificationPropertiesSchema.parse(properties)).toEqual(properties);
  });
});

describe(effectiveEventTtlMillis.name, () => {
  it.each([
    [undefined, undefined, undefined],
    [30, undefined, 30000],
    [undefined, 60, 60000],
    [30, 60, 30000],
    [120, 60, 60000],
    [-1, 60, 60000],
    [30, -1, 30000],
    ['30', undefined, undefined],
  ])('ttl %j with max-ttl %j gives %j ms', (ttl, max, expected) => {
    expect(effectiveEventTtlMillis(ttl, max)).toBe(expected);
  });
});

describe('DeviceProvisioningNotificationPropertiesSchema', () => {
  const sut = DeviceProvisioningNotificationPropertiesSchema;

  it('parses Kafka headers, whose values are strings', () => {
    const headers = {
      'content-type': DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE,
      hono_registration_status: 'NEW',
      tenant_id: 'DEFAULT_TENANT',
      device_id: '4711',
      orig_adapter: 'hono-device-registry',
      orig_address: 'event',
      qos: '1',
      'creation-time': '1767225600000',
      ttl: '60000',
      traceparent: '00-abc-def-01',
    };
    expect(sut.parse(headers)).toEqual({
      ...headers,
      qos: 1,
      'creation-time': 1767225600000,
      ttl: 60000,
    });
  });

  it('rejects other events', () => {
    const base = { hono_registration_status: 'NEW', tenant_id: 'T', device_id: 'd' };
    expect(sut.safeParse({ ...base, 'content-type': 'application/json' }).success).toBe(false);
    expect(
      sut.safeParse({
        ...base,
        'content-type': DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE,
        hono_registration_status: 'DELETED',
      }).success,
    ).toBe(false);
  });
});
