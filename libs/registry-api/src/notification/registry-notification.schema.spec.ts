import { DeviceIdSchema, TenantIdSchema } from '../common/ids';
import { NotificationTopic } from '../addresses/notification-topic';
import {
  allDevicesOfTenantDeletedNotification,
  credentialsChangeNotification,
  deviceChangeNotification,
  notificationKeyOf,
  notificationTopicOf,
  RegistryNotificationSchema,
  tenantChangeNotification,
} from './registry-notification.schema';

const TENANT = TenantIdSchema.parse('t1');
const DEVICE = DeviceIdSchema.parse('d1');
const NOW = new Date('2026-03-01T10:20:30.456Z');

describe('RegistryNotificationSchema', () => {
  const sut = RegistryNotificationSchema;

  it('parses Hono’s device-change-v1 JSON', () => {
    const json = {
      type: 'device-change-v1',
      source: 'device-registry',
      'creation-time': '2026-03-01T10:20:30Z',
      change: 'CREATE',
      'tenant-id': 't1',
      'device-id': 'd1',
      enabled: true,
    };
    expect(sut.parse(json)).toEqual(json);
  });

  it.each([
    tenantChangeNotification('UPDATE', TENANT, false, true, { now: NOW }),
    deviceChangeNotification('DELETE', TENANT, DEVICE, true, { now: NOW }),
    credentialsChangeNotification(TENANT, DEVICE, { now: NOW }),
    allDevicesOfTenantDeletedNotification(TENANT, { now: NOW }),
  ])('round-trips $type through JSON', (notification) => {
    expect(sut.parse(JSON.parse(JSON.stringify(notification)))).toEqual(notification);
  });

  it('builds notifications with Hono’s members and timestamp format', () => {
    expect(tenantChangeNotification('CREATE', TENANT, true, false, { now: NOW })).toEqual({
      type: 'tenant-change-v1',
      source: 'device-registry',
      'creation-time': '2026-03-01T10:20:30Z',
      change: 'CREATE',
      'tenant-id': 't1',
      enabled: true,
      'invalidate-cache-on-update': false,
    });
    expect(credentialsChangeNotification(TENANT, DEVICE, { now: NOW, source: 'x' })).toEqual({
      type: 'credentials-change-v1',
      source: 'x',
      'creation-time': '2026-03-01T10:20:30Z',
      'tenant-id': 't1',
      'device-id': 'd1',
    });
  });

  it('ignores unknown members', () => {
    const parsed = sut.parse({
      type: 'all-devices-of-tenant-deleted-v1',
      source: 'device-registry',
      'creation-time': '2026-03-01T10:20:30Z',
      'tenant-id': 't1',
      future: 1,
    });
    expect(parsed).not.toHaveProperty('future');
  });

  it.each([
    ['unknown type', { type: 'tenant-change-v2' }],
    [
      'unknown change',
      {
        type: 'device-change-v1',
        source: 's',
        'creation-time': '2026-03-01T10:20:30Z',
        change: 'MODIFY',
        'tenant-id': 't1',
        'device-id': 'd1',
        enabled: true,
      },
    ],
    [
      'missing enabled',
      {
        type: 'tenant-change-v1',
        source: 's',
        'creation-time': '2026-03-01T10:20:30Z',
        change: 'CREATE',
        'tenant-id': 't1',
        'invalidate-cache-on-update': false,
      },
    ],
    [
      'invalid creation time',
      {
        type: 'credentials-change-v1',
        source: 's',
        'creation-time': 'now',
        'tenant-id': 't1',
        'device-id': 'd1',
      },
    ],
  ])('rejects %s', (_name, json) => {
    expect(sut.safeParse(json).success).toBe(false);
  });
});

describe(notificationTopicOf.name, () => {
  it('publishes tenant changes on registry-tenant and everything else on registry-device', () => {
    expect(notificationTopicOf(tenantChangeNotification('CREATE', TENANT, true, false))).toBe(
      NotificationTopic.REGISTRY_TENANT,
    );
    expect(notificationTopicOf(deviceChangeNotification('CREATE', TENANT, DEVICE, true))).toBe(
      NotificationTopic.REGISTRY_DEVICE,
    );
    expect(notificationTopicOf(credentialsChangeNotification(TENANT, DEVICE))).toBe(
      NotificationTopic.REGISTRY_DEVICE,
    );
    expect(notificationTopicOf(allDevicesOfTenantDeletedNotification(TENANT))).toBe(
      NotificationTopic.REGISTRY_DEVICE,
    );
  });
});

describe(notificationKeyOf.name, () => {
  it('keys device-scoped notifications by device and the others by tenant', () => {
    expect(notificationKeyOf(tenantChangeNotification('CREATE', TENANT, true, false))).toBe('t1');
    expect(notificationKeyOf(deviceChangeNotification('CREATE', TENANT, DEVICE, true))).toBe('d1');
    expect(notificationKeyOf(credentialsChangeNotification(TENANT, DEVICE))).toBe('d1');
    expect(notificationKeyOf(allDevicesOfTenantDeletedNotification(TENANT))).toBe('t1');
  });
});
