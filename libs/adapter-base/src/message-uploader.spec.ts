import { type Message, MessageSender, MessagingError, type SendOptions } from '@tessera/messaging';
import {
  ClientError,
  NotFoundError,
  type RegistrationAssertion,
  type ServiceInvocationError,
  type TenantObject,
} from '@tessera/registry-api';
import { RegistrationClient, TenantClient } from '@tessera/registry-client';

import type { AuthenticatedDevice } from './device-authenticator';
import { DownstreamMessaging } from './downstream';
import { MessageUploader, type UploadRequest } from './message-uploader';

class RecordingSender extends MessageSender {
  readonly sent: { destination: string; message: Message; options: SendOptions }[] = [];
  failure: Error | undefined;
  start = (): Promise<void> => Promise.resolve();
  stop = (): Promise<void> => Promise.resolve();
  send(destination: string, message: Message, options: SendOptions): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.sent.push({ destination, message, options });
    return Promise.resolve();
  }
}

class Tenants extends TenantClient {
  constructor(private readonly tenants: Record<string, TenantObject>) {
    super();
  }
  get(tenantId: string): Promise<TenantObject> {
    const tenant = this.tenants[tenantId];
    return tenant ? Promise.resolve(tenant) : Promise.reject(new NotFoundError('TENANT', 'no'));
  }
  getBySubjectDn(): Promise<TenantObject> {
    return Promise.reject(new NotFoundError('TENANT', 'no'));
  }
}

class Registrations extends RegistrationClient {
  readonly calls: [string, string, string | undefined][] = [];
  constructor(
    private readonly devices: Record<
      string,
      { defaults?: Record<string, unknown>; gateways?: string[] }
    >,
  ) {
    super();
  }
  assertRegistration(
    tenantId: string,
    deviceId: string,
    gatewayId?: string,
  ): Promise<RegistrationAssertion> {
    this.calls.push([tenantId, deviceId, gatewayId]);
    const device = this.devices[`${tenantId}/${deviceId}`];
    if (!device) return Promise.reject(new NotFoundError('DEVICE', 'no'));
    if (gatewayId !== undefined && !(device.gateways ?? []).includes(gatewayId)) {
      return Promise.reject(new ClientError(403, 'GATEWAY', 'not authorized'));
    }
    return Promise.resolve({
      'device-id': deviceId,
      ...(device.defaults && { defaults: device.defaults }),
    } as RegistrationAssertion);
  }
}

/** Fixtures with plain strings where the contract has branded ids. */
function tenants(records: Record<string, unknown>): Record<string, TenantObject> {
  return records as Record<string, TenantObject>;
}

async function failure(promise: Promise<unknown>): Promise<ServiceInvocationError> {
  try {
    await promise;
  } catch (e) {
    return e as ServiceInvocationError;
  }
  throw new Error('expected a failure');
}

describe(MessageUploader.name, () => {
  let kafka: RecordingSender;
  let amqp: RecordingSender;
  let registrations: Registrations;
  let uploader: MessageUploader;
  const device: AuthenticatedDevice = {
    tenantId: 'A',
    deviceId: 'd1',
    authId: 'd1',
    method: 'password',
  };
  const gateway: AuthenticatedDevice = {
    tenantId: 'A',
    deviceId: 'gw',
    authId: 'gw',
    method: 'password',
  };

  const request = (overrides: Partial<UploadRequest> = {}): UploadRequest => ({
    endpoint: 'telemetry',
    qos: 0,
    authenticated: device,
    tenantId: 'A',
    deviceId: 'd1',
    payload: Buffer.from('{"t":1}'),
    contentType: 'application/json',
    origAddress: '/telemetry',
    ...overrides,
  });

  beforeEach(() => {
    kafka = new RecordingSender();
    amqp = new RecordingSender();
    registrations = new Registrations({
      'A/d1': {
        defaults: { ttl: 120, 'content-type': 'text/x-device', k: 'device' },
      },
      'A/edge': { gateways: ['gw'] },
      'B/b1': {},
      'OFF/x': {},
      'OPEN/o': {},
    });
    uploader = new MessageUploader(
      new Tenants(
        tenants({
          A: {
            'tenant-id': 'A',
            enabled: true,
            defaults: { k: 'tenant', other: 'tenant-only' },
            'resource-limits': { 'max-ttl': 60 },
          },
          B: { 'tenant-id': 'B', enabled: true, ext: { 'messaging-type': 'amqp' } },
          OFF: {
            'tenant-id': 'OFF',
            enabled: true,
            adapters: [
              { type: 'hono-http', enabled: false, 'device-authentication-required': true },
            ],
          },
          OPEN: {
            'tenant-id': 'OPEN',
            enabled: true,
            adapters: [
              { type: 'hono-http', enabled: true, 'device-authentication-required': false },
            ],
          },
          DIS: { 'tenant-id': 'DIS', enabled: false },
        }),
      ),
      registrations,
      new DownstreamMessaging({ kafka, amqp }, 'kafka'),
      { adapterType: 'hono-http', maxPayloadBytes: 16 },
    );
  });

  it('sends telemetry to the tenant’s Kafka topic with Hono’s properties, defaults below explicit values', async () => {
    await uploader.upload(request());
    expect(kafka.sent).toHaveLength(1);
    const [sent] = kafka.sent;
    expect(sent?.destination).toBe('hono.telemetry.A');
    expect(sent?.options).toEqual({ awaitAck: false });
    expect(sent?.message).toMatchObject({
      key: 'd1',
      contentType: 'application/json',
      durable: false,
      properties: {
        device_id: 'd1',
        tenant_id: 'A',
        orig_adapter: 'hono-http',
        orig_address: '/telemetry',
        qos: 0,
        k: 'device',
        other: 'tenant-only',
      },
    });
    expect(sent?.message.properties?.['ttl']).toBeUndefined();
    expect(registrations.calls).toEqual([['A', 'd1', undefined]]);
  });

  it('waits for the acknowledgement of events and QoS 1, events durable, ttl capped by max-ttl', async () => {
    await uploader.upload(request({ endpoint: 'event', qos: 0, contentType: undefined }));
    await uploader.upload(request({ qos: 1 }));
    const [event, qos1] = kafka.sent;
    expect(event?.destination).toBe('hono.event.A');
    expect(event?.options.awaitAck).toBe(true);
    expect(event?.message).toMatchObject({
      contentType: 'text/x-device',
      durable: true,
      ttlMs: 60_000,
    });
    expect(event?.message.properties?.['qos']).toBe(1);
    expect(qos1?.options.awaitAck).toBe(true);
    await uploader.upload(request({ endpoint: 'event', ttlSeconds: 30 }));
    expect(kafka.sent[2]?.message.ttlMs).toBe(30_000);
  });

  it('routes a tenant with ext.messaging-type amqp to the broker address', async () => {
    await uploader.upload(
      request({
        tenantId: 'B',
        deviceId: 'b1',
        authenticated: { ...device, tenantId: 'B', deviceId: 'b1' },
      }),
    );
    expect(amqp.sent.map((s) => s.destination)).toEqual(['telemetry/B']);
    expect(kafka.sent).toHaveLength(0);
  });

  it('asserts with the gateway id when a gateway sends for another device', async () => {
    await uploader.upload(request({ authenticated: gateway, deviceId: 'edge' }));
    expect(registrations.calls).toEqual([['A', 'edge', 'gw']]);
    expect(kafka.sent[0]?.message.properties?.['device_id']).toBe('edge');
    expect(
      (await failure(uploader.upload(request({ authenticated: gateway, deviceId: 'd1' })))).status,
    ).toBe(403);
  });

  it.each<[string, Partial<UploadRequest>, number]>([
    ['another tenant', { tenantId: 'B', deviceId: 'b1' }, 403],
    ['a disabled tenant', { tenantId: 'DIS', authenticated: { ...device, tenantId: 'DIS' } }, 403],
    [
      'an adapter disabled for the tenant',
      {
        tenantId: 'OFF',
        deviceId: 'x',
        authenticated: { ...device, tenantId: 'OFF', deviceId: 'x' },
      },
      403,
    ],
    [
      'an unknown device',
      { deviceId: 'nobody', authenticated: { ...device, deviceId: 'nobody' } },
      404,
    ],
    ['no authentication where it is required', { authenticated: undefined }, 401],
    ['a payload over the limit', { payload: Buffer.alloc(17) }, 413],
    [
      'an empty payload without content type',
      { payload: Buffer.alloc(0), contentType: undefined },
      400,
    ],
    [
      'an empty notification with a payload',
      { contentType: 'application/vnd.eclipse-hono-empty-notification' },
      400,
    ],
    ['a negative ttl', { endpoint: 'event', ttlSeconds: -5 }, 400],
  ])('refuses %s (%s) and sends nothing', async (_case, overrides, status) => {
    expect((await failure(uploader.upload(request(overrides)))).status).toBe(status);
    expect(kafka.sent).toHaveLength(0);
  });

  it('accepts an unauthenticated device where the tenant allows it', async () => {
    await uploader.upload(request({ tenantId: 'OPEN', deviceId: 'o', authenticated: undefined }));
    expect(kafka.sent).toHaveLength(1);
  });

  it('answers 503 when the broker does not take the message', async () => {
    kafka.failure = new MessagingError('UNAVAILABLE', 'broker down', true);
    const error = await failure(uploader.upload(request({ qos: 1 })));
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
  });
});
