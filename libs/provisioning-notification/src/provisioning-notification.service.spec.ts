import { type Message, MessageSender, MessagingError, type SendOptions } from '@tessera/messaging';
import {
  ClientError,
  DeviceProvisioningNotificationPropertiesSchema,
  NotFoundError,
  ServerError,
  type TenantObject,
  TenantObjectSchema,
} from '@tessera/registry-api';
import { TenantClient } from '@tessera/registry-client';

import { ProvisioningNotificationService } from './provisioning-notification.service';

const CONTENT_TYPE = 'application/vnd.eclipse-hono-device-provisioning-notification';
const NOW = 1_700_000_000_123;

class StubTenants extends TenantClient {
  readonly tenants = new Map<string, TenantObject>();
  failure: Error | undefined;

  add(id: string, tenant: Record<string, unknown> = {}, alias?: string): void {
    const object = TenantObjectSchema.parse({ 'tenant-id': id, enabled: true, ...tenant });
    this.tenants.set(id, object);
    if (alias !== undefined) this.tenants.set(alias, object);
  }

  async get(tenantId: string): Promise<TenantObject> {
    if (this.failure) throw this.failure;
    const found = this.tenants.get(tenantId);
    if (found === undefined) throw new NotFoundError('REMOTE.NOT_FOUND', 'no such tenant');
    return found;
  }

  async getBySubjectDn(): Promise<TenantObject> {
    throw new NotFoundError('REMOTE.NOT_FOUND', 'not used');
  }
}

interface Sent {
  readonly destination: string;
  readonly message: Message;
  readonly options: SendOptions;
}

class RecordingSender extends MessageSender {
  readonly sent: Sent[] = [];
  failure: Error | undefined;

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async send(destination: string, message: Message, options: SendOptions): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push({ destination, message, options });
  }
}

describe(ProvisioningNotificationService.name, () => {
  let tenants: StubTenants;
  let kafka: RecordingSender;
  let amqp: RecordingSender;
  let sut: ProvisioningNotificationService;

  beforeEach(() => {
    tenants = new StubTenants();
    kafka = new RecordingSender();
    amqp = new RecordingSender();
    sut = new ProvisioningNotificationService({
      tenants,
      senders: { kafka, amqp },
      sendTimeoutMs: 3_000,
      now: () => NOW,
    });
    tenants.add('t1');
  });

  const only = (sender: RecordingSender): Sent => {
    expect(sender.sent).toHaveLength(1);
    return sender.sent[0]!;
  };

  it('sends Hono’s notification to hono.event.<tenant> with the device as key, after the ack', async () => {
    await sut.deliver('t1', { 'device-id': 'dev-1' });

    const { destination, message, options } = only(kafka);
    expect(destination).toBe('hono.event.t1');
    expect(options).toEqual({ awaitAck: true, timeoutMs: 3_000 });
    expect(message).toEqual({
      key: 'dev-1',
      contentType: CONTENT_TYPE,
      durable: true,
      properties: {
        hono_registration_status: 'NEW',
        tenant_id: 't1',
        device_id: 'dev-1',
        orig_adapter: 'hono-device-registry',
        orig_address: 'event',
        qos: 1,
        'creation-time': NOW,
      },
    });
    expect(message.body).toBeUndefined();
    expect(message.ttlMs).toBeUndefined();
    expect(amqp.sent).toHaveLength(0);
  });

  it('produces headers that parse as a provisioning notification (Kafka strings)', async () => {
    await sut.deliver('t1', { 'device-id': 'dev-1', 'gateway-id': 'gw-1' });

    const { message } = only(kafka);
    const headers = Object.fromEntries(
      Object.entries({ ...message.properties, 'content-type': message.contentType }).map(
        ([k, v]) => [k, String(v)],
      ),
    );
    expect(DeviceProvisioningNotificationPropertiesSchema.parse(headers)).toMatchObject({
      'content-type': CONTENT_TYPE,
      hono_registration_status: 'NEW',
      tenant_id: 't1',
      device_id: 'dev-1',
      gateway_id: 'gw-1',
      qos: 1,
      'creation-time': NOW,
    });
  });

  it('adds gateway_id only for gateway-based provisioning', async () => {
    await sut.deliver('t1', { 'device-id': 'edge', 'gateway-id': 'gw' });
    await sut.deliver('t1', { 'device-id': 'plain' });

    expect(kafka.sent[0]?.message.properties?.['gateway_id']).toBe('gw');
    expect(kafka.sent[1]?.message.properties).not.toHaveProperty('gateway_id');
  });

  it('applies tenant and device defaults (device wins) without overriding its own properties', async () => {
    tenants.add('t2', {
      defaults: {
        'content-type': 'text/plain',
        app: 'tenant',
        region: 'eu',
        orig_adapter: 'spoofed',
        nested: { a: 1 },
      },
    });

    await sut.deliver('t2', {
      'device-id': 'dev-1',
      defaults: { app: 'device', hono_registration_status: 'OLD', tenant_id: 'other' },
    });

    const { message } = only(kafka);
    expect(message.contentType).toBe(CONTENT_TYPE);
    expect(message.properties).toMatchObject({
      app: 'device',
      region: 'eu',
      nested: '{"a":1}',
      orig_adapter: 'hono-device-registry',
      hono_registration_status: 'NEW',
      tenant_id: 't2',
    });
    expect(message.properties).not.toHaveProperty('content-type');
  });

  it.each([
    ['the ttl default', { defaults: { ttl: 30 } }, {}, 30_000],
    ['the device’s ttl default', { defaults: { ttl: 30 } }, { ttl: 20 }, 20_000],
    [
      'the ttl capped by max-ttl',
      { defaults: { ttl: 120 }, 'resource-limits': { 'max-ttl': 60 } },
      {},
      60_000,
    ],
    ['max-ttl alone', { 'resource-limits': { 'max-ttl': 45 } }, {}, 45_000],
    [
      'unlimited max-ttl',
      { defaults: { ttl: 30 }, 'resource-limits': { 'max-ttl': -1 } },
      {},
      30_000,
    ],
  ])('sets the ttl from %s', async (_name, tenant, deviceDefaults, ttlMs) => {
    tenants.add('t3', tenant);

    await sut.deliver('t3', { 'device-id': 'dev-1', defaults: deviceDefaults });

    const { message } = only(kafka);
    expect(message.ttlMs).toBe(ttlMs);
    expect(message.properties).not.toHaveProperty('ttl');
  });

  it('sends to event/<tenant> on AMQP, durable, for ext.messaging-type amqp', async () => {
    tenants.add('amqp-tenant', { ext: { 'messaging-type': 'amqp' }, defaults: { ttl: 10 } });

    await sut.deliver('amqp-tenant', { 'device-id': 'dev-1' });

    const { destination, message, options } = only(amqp);
    expect(destination).toBe('event/amqp-tenant');
    expect(options.awaitAck).toBe(true);
    expect(message).toEqual({
      key: 'dev-1',
      contentType: CONTENT_TYPE,
      durable: true,
      ttlMs: 10_000,
      properties: {
        hono_registration_status: 'NEW',
        tenant_id: 'amqp-tenant',
        device_id: 'dev-1',
        orig_adapter: 'hono-device-registry',
        orig_address: 'event',
      },
    });
    expect(kafka.sent).toHaveLength(0);
  });

  it('uses the default messaging type when the tenant’s is not configured', async () => {
    sut = new ProvisioningNotificationService({ tenants, senders: { kafka } });
    tenants.add('amqp-tenant', { ext: { 'messaging-type': 'amqp' } });

    await sut.deliver('amqp-tenant', { 'device-id': 'dev-1' });

    expect(only(kafka).destination).toBe('hono.event.amqp-tenant');
  });

  it('defaults to the configured type: kafka when configured, else amqp, unless told otherwise', () => {
    const tenant = TenantObjectSchema.parse({ 'tenant-id': 'x', enabled: true });
    expect(sut.messagingTypeFor(tenant)).toBe('kafka');
    expect(
      new ProvisioningNotificationService({ tenants, senders: { amqp } }).messagingTypeFor(tenant),
    ).toBe('amqp');
    expect(
      new ProvisioningNotificationService({
        tenants,
        senders: { kafka, amqp },
        defaultMessagingType: 'amqp',
      }).messagingTypeFor(tenant),
    ).toBe('amqp');
  });

  it('refuses to be built without any sender', () => {
    expect(() => new ProvisioningNotificationService({ tenants, senders: {} })).toThrow(RangeError);
  });

  it('uses the tenant’s real id when it was addressed by an alias', async () => {
    tenants.add('real-id', {}, 'alias');

    await sut.deliver('alias', { 'device-id': 'dev-1' });

    const { destination, message } = only(kafka);
    expect(destination).toBe('hono.event.real-id');
    expect(message.properties?.['tenant_id']).toBe('real-id');
  });

  it('still notifies for a disabled tenant', async () => {
    tenants.add('off', { enabled: false });

    await sut.deliver('off', { 'device-id': 'dev-1' });

    expect(only(kafka).destination).toBe('hono.event.off');
  });

  it('answers 404 for an unknown tenant and sends nothing', async () => {
    const error = await sut.deliver('nobody', { 'device-id': 'dev-1' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ status: 404, retryable: false });
    expect(kafka.sent).toHaveLength(0);
  });

  it.each([
    ['no device-id', {}],
    ['an invalid device-id', { 'device-id': 'bad/id' }],
    ['an invalid gateway-id', { 'device-id': 'd', 'gateway-id': '' }],
    ['defaults that are no object', { 'device-id': 'd', defaults: 'x' }],
    ['no object at all', 'dev-1'],
    ['an empty body', undefined],
  ])('answers 400 for %s', async (_name, body) => {
    await expect(sut.deliver('t1', body as never)).rejects.toMatchObject({ status: 400 });
    expect(kafka.sent).toHaveLength(0);
  });

  it('answers 400 for an invalid tenant id', async () => {
    await expect(sut.deliver('bad tenant', { 'device-id': 'd' })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('answers 503 (retryable) when the broker does not acknowledge', async () => {
    kafka.failure = new MessagingError('TIMEOUT', 'no ack', true);

    const error = await sut.deliver('t1', { 'device-id': 'dev-1' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503, retryable: true, code: 'NOTIFICATION.UNAVAILABLE' });
  });

  it('answers 503 (retryable) also for a rejected delivery: the caller retries later', async () => {
    kafka.failure = new MessagingError('REJECTED', 'rejected', false);

    await expect(sut.deliver('t1', { 'device-id': 'dev-1' })).rejects.toMatchObject({
      status: 503,
      retryable: true,
    });
  });

  it('answers 503 (retryable) when the Tenant API cannot be reached or refuses', async () => {
    tenants.failure = new ServerError(503, 'REMOTE.UNAVAILABLE', 'timeout', { retryable: true });
    await expect(sut.deliver('t1', { 'device-id': 'dev-1' })).rejects.toMatchObject({
      status: 503,
      retryable: true,
    });
    tenants.failure = new ClientError(403, 'REMOTE.FORBIDDEN', 'not allowed');
    await expect(sut.deliver('t1', { 'device-id': 'dev-1' })).rejects.toMatchObject({
      status: 503,
      retryable: true,
    });
  });

  it('passes other failures of the sender on', async () => {
    kafka.failure = new TypeError('bug');

    await expect(sut.deliver('t1', { 'device-id': 'dev-1' })).rejects.toBeInstanceOf(TypeError);
  });
});
