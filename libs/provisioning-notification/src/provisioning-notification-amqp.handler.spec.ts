import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import {
  type Message,
  MessageSender,
  type ReceivedMessage,
  type RequestHandler,
} from '@tessera/messaging';
import { AMQP_ENDPOINT, type AmqpEndpoint } from '@tessera/messaging-nest';
import {
  DeliverProvisioningNotificationSchema,
  NotFoundError,
  type TenantObject,
  TenantObjectSchema,
} from '@tessera/registry-api';
import { TenantClient } from '@tessera/registry-client';
import { ProvisioningNotificationClient } from '@tessera/registry-kit';

import { ProvisioningNotificationAmqpHandler } from './provisioning-notification-amqp.handler';
import { ProvisioningNotificationModule } from './provisioning-notification.module';
import { ProvisioningNotificationService } from './provisioning-notification.service';

class OneTenant extends TenantClient {
  async get(tenantId: string): Promise<TenantObject> {
    if (tenantId !== 't1') throw new NotFoundError('REMOTE.NOT_FOUND', 'no such tenant');
    return TenantObjectSchema.parse({ 'tenant-id': 't1', enabled: true });
  }

  async getBySubjectDn(): Promise<TenantObject> {
    throw new NotFoundError('REMOTE.NOT_FOUND', 'not used');
  }
}

class Sink extends MessageSender {
  readonly sent: string[] = [];
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(destination: string): Promise<void> {
    this.sent.push(destination);
  }
}

const request = (body: unknown, overrides: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  source: 'provisioning-notification/t1',
  subject: 'deliver',
  contentType: 'application/json',
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8'),
  ...overrides,
});

const text = (reply: Message): string | undefined => reply.body?.toString('utf8');

describe(ProvisioningNotificationAmqpHandler.name, () => {
  let sink: Sink;
  let sut: ProvisioningNotificationAmqpHandler;

  beforeEach(() => {
    sink = new Sink();
    sut = new ProvisioningNotificationAmqpHandler(
      new ProvisioningNotificationService({ tenants: new OneTenant(), senders: { kafka: sink } }),
    );
  });

  it('answers 202 without a body once delivered, echoing tenant_id and device_id', async () => {
    const reply = await sut.handle(request({ 'device-id': 'dev-1' }));

    expect(reply).toEqual({ properties: { status: 202, tenant_id: 't1', device_id: 'dev-1' } });
    expect(sink.sent).toEqual(['hono.event.t1']);
  });

  it('answers 400 for another operation', async () => {
    const reply = await sut.handle(request({ 'device-id': 'dev-1' }, { subject: 'get' }));

    expect(reply.properties).toEqual({ status: 400, tenant_id: 't1' });
    expect(text(reply)).toContain('unsupported operation: get');
    expect(sink.sent).toHaveLength(0);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const reply = await sut.handle(request('{nope'));

    expect(reply.properties?.['status']).toBe(400);
  });

  it('answers 400 for a body without a valid device-id', async () => {
    const reply = await sut.handle(request({ 'device-id': 'a/b' }));

    expect(reply.properties).toEqual({ status: 400, tenant_id: 't1', device_id: 'a/b' });
    expect(text(reply)).toContain('device-id');
  });

  it('answers 400 for an empty body', async () => {
    const reply = await sut.handle(request('', { body: undefined }));

    expect(reply.properties?.['status']).toBe(400);
  });

  it('answers 400 for an address without a valid tenant', async () => {
    const reply = await sut.handle(
      request({ 'device-id': 'd' }, { source: 'provisioning-notification' }),
    );

    expect(reply.properties?.['status']).toBe(400);
  });

  it('answers 404 for an unknown tenant', async () => {
    const reply = await sut.handle(
      request({ 'device-id': 'dev-1' }, { source: 'provisioning-notification/other' }),
    );

    expect(reply.properties).toEqual({ status: 404, tenant_id: 'other', device_id: 'dev-1' });
  });
});

@Module({})
class EndpointHost {}

describe(ProvisioningNotificationModule.name, () => {
  it('registers the endpoint and exports the service under the client token', async () => {
    const handlers = new Map<string, RequestHandler>();
    const endpoint = {
      register: (name: string, handler: RequestHandler) => handlers.set(name, handler),
    } as unknown as AmqpEndpoint;
    const sink = new Sink();
    const app = await NestFactory.createApplicationContext(
      {
        module: EndpointHost,
        global: true,
        providers: [{ provide: AMQP_ENDPOINT, useValue: endpoint }],
        exports: [AMQP_ENDPOINT],
        imports: [
          ProvisioningNotificationModule.forRootAsync({
            useFactory: () => ({ tenants: new OneTenant(), senders: { kafka: sink } }),
          }),
        ],
      },
      { logger: false },
    );
    try {
      const service = app.get(ProvisioningNotificationService);
      expect(app.get(ProvisioningNotificationClient)).toBe(service);
      const handler = handlers.get('provisioning-notification');
      expect(handler).toBeDefined();
      const reply = await handler!(request({ 'device-id': 'dev-9' }));
      expect(reply.properties?.['status']).toBe(202);
      await app
        .get(ProvisioningNotificationClient)
        .deliver('t1', DeliverProvisioningNotificationSchema.parse({ 'device-id': 'dev-10' }));
      expect(sink.sent).toEqual(['hono.event.t1', 'hono.event.t1']);
    } finally {
      await app.close();
    }
  });
});
