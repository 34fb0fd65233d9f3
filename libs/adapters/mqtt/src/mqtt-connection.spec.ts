import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

import * as mqtt from 'mqtt-packet';

import {
  type AuthenticationResult,
  forbidden,
  payloadTooLarge,
  unauthorized,
  unavailable,
  type UploadRequest,
  type UploadResult,
} from '@tessera/adapter-base';
import { ClientError, type RegistrationAssertion, type TenantObject } from '@tessera/registry-api';
import { type TestCertificate, TestPki } from '@tessera/testing';

import { MqttAdapterServer, type MqttAdapterServerOptions } from './mqtt-adapter.server';
import type { MqttConnectionRuntime } from './mqtt-connection';

const tenant = { 'tenant-id': 'acme', enabled: true } as unknown as TenantObject;
const assertion = { 'device-id': 'dev-1' } as unknown as RegistrationAssertion;

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface PendingUpload extends Deferred<UploadResult> {
  readonly request: UploadRequest;
}

/** A runtime whose uploads stay pending until the test settles them. */
function fakeRuntime() {
  const uploads: PendingUpload[] = [];
  const authenticatePassword = jest.fn(
    (username: string, password: string): Promise<AuthenticationResult> => {
      if (username !== 'dev-1@acme' || password !== 'secret') return Promise.reject(unauthorized());
      return Promise.resolve({
        device: { tenantId: 'acme', deviceId: 'dev-1', authId: 'dev-1', method: 'password' },
        autoProvisioned: false,
      });
    },
  );
  const runtime = {
    authenticator: {
      authenticatePassword,
      authenticateCertificate: jest.fn(() => Promise.reject(unauthorized())),
    },
    clients: {
      tenant: { get: jest.fn((_id: string) => Promise.resolve(tenant)) },
      registration: {
        assertRegistration: jest.fn((_t: string, _d: string) => Promise.resolve(assertion)),
      },
    },
    uploader: {
      checkTenant: jest.fn((_t: TenantObject, _u: boolean) => undefined),
      checkDataVolume: jest.fn((_t: TenantObject, _b: number) => undefined),
      upload: jest.fn((request: UploadRequest) => {
        const pending = { ...deferred<UploadResult>(), request };
        uploads.push(pending);
        return pending.promise;
      }),
    },
  } satisfies MqttConnectionRuntime;
  return { runtime, uploads };
}

/** A raw MQTT client: writes packets with mqtt-packet, collects what the adapter answers. */
class TestClient {
  readonly packets: mqtt.Packet[] = [];
  readonly closed: Promise<void>;
  private waiters: (() => void)[] = [];
  private readonly parser: mqtt.Parser;

  private constructor(
    readonly socket: Socket,
    version: number,
  ) {
    this.parser = mqtt.parser({ protocolVersion: version });
    this.parser.on('packet', (p) => {
      this.packets.push(p);
      this.notify();
    });
    socket.on('data', (chunk: Buffer) => this.parser.parse(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        resolve();
        this.notify();
      });
    });
  }

  static openTls(port: number, ca: string, cert?: TestCertificate): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connectTls(
        {
          port,
          host: '127.0.0.1',
          ca,
          ...(cert !== undefined && { key: cert.keyPem, cert: cert.certPem }),
        },
        () => {
          resolve(new TestClient(socket, 4));
        },
      );
      socket.once('error', reject);
    });
  }

  static open(port: number, version = 4): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        resolve(new TestClient(socket, version));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === 'closed';
  }

  send(packet: mqtt.Packet, version = 4): void {
    this.socket.write(mqtt.generate(packet, { protocolVersion: version }));
  }

  /** Waits for the next packet (in order of arrival); `undefined` if the connection closed first. */
  async next(timeoutMs = 2_000): Promise<mqtt.Packet | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.packets.length === 0) {
      if (this.isClosed) return undefined;
      if (Date.now() > deadline) throw new Error('no packet within timeout');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
    return this.packets.shift();
  }

  async connack(
    username: string | null = 'dev-1@acme',
    password = 'secret',
    extra: Partial<mqtt.IConnectPacket> = {},
  ): Promise<mqtt.IConnackPacket> {
    this.send(
      {
        cmd: 'connect',
        clientId: 'c1',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 60,
        ...(username !== null && { username, password: Buffer.from(password) }),
        ...extra,
      },
      extra.protocolVersion ?? 4,
    );
    const packet = await this.next();
    if (packet?.cmd !== 'connack')
      throw new Error(`expected CONNACK, got ${packet?.cmd ?? 'close'}`);
    return packet;
  }

  publish(topic: string, qos: 0 | 1 | 2, messageId: number, payload = 'hello', version = 4): void {
    this.send(
      {
        cmd: 'publish',
        topic,
        qos,
        messageId,
        payload: Buffer.from(payload),
        dup: false,
        retain: false,
      },
      version,
    );
  }

  end(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

const tick = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await tick(10);
  }
}

describe(MqttAdapterServer.name, () => {
  let sut: MqttAdapterServer;
  let fake: ReturnType<typeof fakeRuntime>;
  let port: number;
  const clients: TestClient[] = [];

  async function start(options: Partial<MqttAdapterServerOptions> = {}): Promise<void> {
    fake = fakeRuntime();
    sut = new MqttAdapterServer(fake.runtime, {
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 2_048,
      connectTimeoutMs: 2_000,
      drainTimeoutMs: 1_000,
      ...options,
    });
    await sut.start();
    port = Number(new URL(sut.endpoints.mqtt ?? '').port);
  }

  async function client(version = 4): Promise<TestClient> {
    const c = await TestClient.open(port, version);
    clients.push(c);
    return c;
  }

  async function connected(): Promise<TestClient> {
    const c = await client();
    expect((await c.connack()).returnCode).toBe(0);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.end();
    // Settle whatever is still pending so that stop() does not wait for it.
    for (const u of fake.uploads) u.resolve({ tenant, assertion });
    await sut.stop();
  });

  describe('CONNECT', () => {
    beforeEach(() => start());

    it('accepts valid credentials after checking tenant and registration', async () => {
      const c = await client();
      const connack = await c.connack();
      expect(connack).toMatchObject({ returnCode: 0, sessionPresent: false });
      expect(fake.runtime.authenticator.authenticatePassword).toHaveBeenCalledWith(
        'dev-1@acme',
        'secret',
      );
      expect(fake.runtime.clients.tenant.get).toHaveBeenCalledWith('acme');
      expect(fake.runtime.uploader.checkTenant).toHaveBeenCalledWith(tenant, false);
      expect(fake.runtime.clients.registration.assertRegistration).toHaveBeenCalledWith(
        'acme',
        'dev-1',
      );
    });

    it('refuses bad credentials with 0x04 and closes', async () => {
      const c = await client();
      expect((await c.connack('dev-1@acme', 'wrong')).returnCode).toBe(0x04);
      await c.closed;
    });

    it('refuses a missing user name with 0x04 when authentication is required', async () => {
      const c = await client();
      expect((await c.connack(null)).returnCode).toBe(0x04);
      await c.closed;
    });

    it.each([
      ['an unknown device (404)', new ClientError(404, 'DEVICE.NOT_FOUND', 'no'), 0x04],
      ['an unavailable registry (503)', unavailable('down'), 0x03],
      ['a disabled adapter (403)', forbidden('ADAPTER.DISABLED', 'off'), 0x05],
      ['an unexpected error', new Error('boom'), 0x05],
    ])('maps %s to CONNACK %d', async (_name, error, code) => {
      fake.runtime.clients.registration.assertRegistration.mockRejectedValueOnce(error);
      const c = await client();
      expect((await c.connack()).returnCode).toBe(code);
      await c.closed;
    });

    it('maps a tenant check failure to 0x05', async () => {
      fake.runtime.uploader.checkTenant.mockImplementationOnce(() => {
        throw forbidden('TENANT.DISABLED', 'off');
      });
      const c = await client();
      expect((await c.connack()).returnCode).toBe(0x05);
    });

    it('answers an MQTT 5 CONNECT with MQTT 5 reason codes', async () => {
      const ok = await client(5);
      const accepted = await ok.connack('dev-1@acme', 'secret', { protocolVersion: 5 });
      expect(accepted).toMatchObject({ reasonCode: 0, sessionPresent: false });
      expect(accepted.properties).toMatchObject({ maximumQoS: 1, receiveMaximum: 100 });
      const bad = await client(5);
      const refused = await bad.connack('dev-1@acme', 'wrong', { protocolVersion: 5 });
      expect(refused.reasonCode).toBe(0x86);
      await bad.closed;
    });

    it('closes a connection whose first packet is not CONNECT', async () => {
      const c = await client();
      c.send({ cmd: 'pingreq' });
      expect(await c.next()).toBeUndefined();
    });

    it('closes on a second CONNECT', async () => {
      const c = await connected();
      c.send({ cmd: 'connect', clientId: 'again', protocolVersion: 4, clean: true, keepalive: 0 });
      expect(await c.next()).toBeUndefined();
    });

    it('answers PINGREQ, refuses every subscription, acknowledges UNSUBSCRIBE', async () => {
      const c = await connected();
      c.send({ cmd: 'pingreq' });
      expect((await c.next())?.cmd).toBe('pingresp');
      c.send({
        cmd: 'subscribe',
        messageId: 7,
        subscriptions: [
          { topic: 'command///req/#', qos: 1 },
          { topic: 'error//+/#', qos: 0 },
        ],
      });
      expect(await c.next()).toMatchObject({ cmd: 'suback', messageId: 7, granted: [0x80, 0x80] });
      c.send({ cmd: 'unsubscribe', messageId: 8, unsubscriptions: ['command///req/#'] });
      expect(await c.next()).toMatchObject({ cmd: 'unsuback', messageId: 8 });
    });

    it('closes on DISCONNECT', async () => {
      const c = await connected();
      c.send({ cmd: 'disconnect' });
      await c.closed;
      await until(() => sut.connectionCount === 0);
    });
  });

  describe('timeouts', () => {
    it('closes a connection that sends no CONNECT in time', async () => {
      await start({ connectTimeoutMs: 150 });
      const c = await client();
      await c.closed;
    });

    it('closes a connection silent for 1.5 × keep-alive', async () => {
      await start();
      const c = await client();
      const started = Date.now();
      await c.connack('dev-1@acme', 'secret', { keepalive: 1 });
      await c.closed;
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    });
  });

  describe('connection limits', () => {
    const limited = (max: number) =>
      ({ ...tenant, 'resource-limits': { 'max-connections': max } }) as unknown as TenantObject;

    it('refuses a CONNECT beyond the tenant’s max-connections (0x05, MQTT 5 0x97), and takes one again once a connection closed', async () => {
      await start();
      fake.runtime.clients.tenant.get.mockResolvedValue(limited(2));
      const first = await connected();
      const second = await connected();
      const third = await client();
      expect((await third.connack()).returnCode).toBe(0x05);
      await third.closed;
      const v5 = await client(5);
      const refused = await v5.connack('dev-1@acme', 'secret', { protocolVersion: 5 });
      expect(refused.reasonCode).toBe(0x97);
      expect(sut.countedConnections('acme')).toBe(2);

      // The two keep publishing.
      second.publish('telemetry', 1, 9);
      await until(() => fake.uploads.length === 1);
      fake.uploads[0]?.resolve({ tenant, assertion });
      expect(await second.next()).toMatchObject({ cmd: 'puback', messageId: 9 });

      first.end();
      await until(() => sut.countedConnections('acme') === 1);
      await connected();
      expect(sut.countedConnections('acme')).toBe(2);
    });

    it('checks the tenant’s data volume at CONNECT, refusing with 0x05 (MQTT 5 0x97)', async () => {
      await start();
      const full = new ClientError(429, 'TENANT.DATA_VOLUME_EXCEEDED', 'used up');
      fake.runtime.uploader.checkDataVolume.mockImplementation(() => {
        throw full;
      });
      expect((await (await client()).connack()).returnCode).toBe(0x05);
      const v5 = await client(5);
      expect((await v5.connack('dev-1@acme', 'secret', { protocolVersion: 5 })).reasonCode).toBe(
        0x97,
      );
      expect(fake.runtime.uploader.checkDataVolume).toHaveBeenCalledWith(tenant, 1);
    });

    it('gives the count back however a connection ends', async () => {
      await start();
      fake.runtime.clients.tenant.get.mockResolvedValue(limited(5));
      const counted = () => sut.countedConnections('acme');

      const clean = await connected();
      clean.send({ cmd: 'disconnect' });
      await until(() => counted() === 0);

      (await connected()).end();
      await until(() => counted() === 0);

      const violator = await connected();
      violator.send({
        cmd: 'connect',
        clientId: 'x',
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
      });
      await until(() => counted() === 0);

      // Refused after the tenant counted it: the registration assertion fails later.
      fake.runtime.clients.registration.assertRegistration.mockImplementationOnce(() =>
        tick(20).then(() => Promise.reject(new ClientError(404, 'DEVICE.NOT_FOUND', 'no'))),
      );
      expect((await (await client()).connack()).returnCode).toBe(0x04);
      await until(() => counted() === 0 && sut.countedConnections() === 0);

      // Gone while being authenticated: the tenant check that finishes afterwards counts nothing.
      const gate = deferred<undefined>();
      fake.runtime.authenticator.authenticatePassword.mockImplementationOnce(async () => {
        await gate.promise;
        return {
          device: { tenantId: 'acme', deviceId: 'dev-1', authId: 'dev-1', method: 'password' },
          autoProvisioned: false,
        };
      });
      const quitter = await client();
      quitter.send({
        cmd: 'connect',
        clientId: 'q',
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        username: 'dev-1@acme',
        password: Buffer.from('secret'),
      });
      await until(() => sut.countedConnections() === 1);
      quitter.end();
      await until(() => sut.countedConnections() === 0);
      gate.resolve(undefined);
      await tick();
      expect(counted()).toBe(0);

      const silent = await client();
      expect((await silent.connack('dev-1@acme', 'secret', { keepalive: 1 })).returnCode).toBe(0);
      expect(counted()).toBe(1);
      await silent.closed;
      await until(() => counted() === 0 && sut.countedConnections() === 0);
    });

    it('refuses a CONNECT beyond the adapter’s maximum with 0x03 (MQTT 5 0x9C) before authenticating', async () => {
      await start({ maxConnections: 1 });
      await connected();
      const second = await client();
      expect((await second.connack()).returnCode).toBe(0x03);
      const v5 = await client(5);
      expect((await v5.connack('dev-1@acme', 'secret', { protocolVersion: 5 })).reasonCode).toBe(
        0x9c,
      );
      expect(fake.runtime.authenticator.authenticatePassword).toHaveBeenCalledTimes(1);
    });

    it('limits CONNECT attempts per claimed tenant before the password check (0x03, MQTT 5 0x9F)', async () => {
      await start({ tenantConnectRate: { perSecond: 0.001, burst: 2 } });
      const { authenticatePassword } = fake.runtime.authenticator;
      for (let i = 0; i < 2; i++) {
        expect((await (await client()).connack('dev-1@acme', 'wrong')).returnCode).toBe(0x04);
      }
      expect((await (await client()).connack('dev-1@acme', 'secret')).returnCode).toBe(0x03);
      const v5 = await client(5);
      expect((await v5.connack('x@acme', 'secret', { protocolVersion: 5 })).reasonCode).toBe(0x9f);
      expect(authenticatePassword).toHaveBeenCalledTimes(2);
      // Another tenant still reaches the password check.
      expect((await (await client()).connack('dev@other', 'wrong')).returnCode).toBe(0x04);
      expect(authenticatePassword).toHaveBeenCalledTimes(3);
      expect(sut.countedConnections()).toBe(0);
    });
  });

  describe('PUBLISH', () => {
    beforeEach(() => start());

    it('sends PUBACK only once the upload resolved', async () => {
      const c = await connected();
      c.publish('telemetry/?content-type=text%2Fplain', 1, 42);
      await until(() => fake.uploads.length === 1);
      expect(fake.uploads[0]?.request).toMatchObject({
        endpoint: 'telemetry',
        qos: 1,
        tenantId: 'acme',
        deviceId: 'dev-1',
        contentType: 'text/plain',
        origAddress: 'telemetry/?content-type=text%2Fplain',
        authenticated: { tenantId: 'acme', deviceId: 'dev-1' },
      });
      expect(fake.uploads[0]?.request.payload.toString()).toBe('hello');
      await tick();
      expect(c.packets).toEqual([]);
      fake.uploads[0]?.resolve({ tenant, assertion });
      expect(await c.next()).toMatchObject({ cmd: 'puback', messageId: 42 });
    });

    it('forwards a gateway publish for another device with its TTL', async () => {
      const c = await connected();
      c.publish('e//dev-2/?hono-ttl=30', 1, 1);
      await until(() => fake.uploads.length === 1);
      expect(fake.uploads[0]?.request).toMatchObject({
        endpoint: 'event',
        qos: 1,
        tenantId: 'acme',
        deviceId: 'dev-2',
        ttlSeconds: 30,
      });
    });

    it('sends no PUBACK for QoS 0', async () => {
      const c = await connected();
      c.publish('t', 0, 0);
      await until(() => fake.uploads.length === 1);
      fake.uploads[0]?.resolve({ tenant, assertion });
      c.send({ cmd: 'pingreq' });
      expect((await c.next())?.cmd).toBe('pingresp');
    });

    it('closes without PUBACK when the upload fails', async () => {
      const c = await connected();
      c.publish('event', 1, 5);
      await until(() => fake.uploads.length === 1);
      fake.uploads[0]?.reject(unavailable('broker down'));
      expect(await c.next()).toBeUndefined();
      expect(c.packets).toEqual([]);
    });

    it('closes when a QoS 0 telemetry upload fails', async () => {
      const c = await connected();
      c.publish('telemetry', 0, 0);
      await until(() => fake.uploads.length === 1);
      fake.uploads[0]?.reject(payloadTooLarge(2_048));
      await c.closed;
    });

    it('refuses an event with QoS 0 by closing, without uploading', async () => {
      const c = await connected();
      c.publish('event', 0, 0);
      await c.closed;
      expect(fake.runtime.uploader.upload).not.toHaveBeenCalled();
    });

    it('refuses QoS 2 by closing', async () => {
      const c = await connected();
      c.publish('telemetry', 2, 3);
      expect(await c.next()).toBeUndefined();
      expect(fake.runtime.uploader.upload).not.toHaveBeenCalled();
    });

    it('closes on an unknown topic', async () => {
      const c = await connected();
      c.publish('command/res/1', 1, 3);
      await c.closed;
      expect(fake.runtime.uploader.upload).not.toHaveBeenCalled();
    });

    it('closes a connection sending an oversized packet before it is complete', async () => {
      const c = await connected();
      // Only the header of a 1 MB publish: the adapter must not wait for the rest.
      const packet = mqtt.generate({
        cmd: 'publish',
        topic: 't',
        qos: 0,
        dup: false,
        retain: false,
        payload: Buffer.alloc(1_000_000),
      });
      c.socket.write(packet.subarray(0, 16));
      await c.closed;
      expect(fake.runtime.uploader.upload).not.toHaveBeenCalled();
    });

    it('closes only the connection that sent malformed bytes', async () => {
      const good = await connected();
      const bad = await connected();
      // PUBREL with reserved flags 0: a malformed fixed header.
      bad.socket.write(Buffer.from([0x60, 0x02, 0x00, 0x01]));
      await bad.closed;
      const garbage = await client();
      garbage.socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      await garbage.closed;
      good.send({ cmd: 'pingreq' });
      expect((await good.next())?.cmd).toBe('pingresp');
      good.publish('t', 1, 9);
      await until(() => fake.uploads.length === 1);
      fake.uploads[0]?.resolve({ tenant, assertion });
      expect(await good.next()).toMatchObject({ cmd: 'puback', messageId: 9 });
    });

    it('takes packets sent right behind CONNECT once CONNACK was sent', async () => {
      const c = await client();
      c.socket.write(
        Buffer.concat([
          mqtt.generate({
            cmd: 'connect',
            clientId: 'c',
            protocolVersion: 4,
            clean: true,
            keepalive: 0,
            username: 'dev-1@acme',
            password: Buffer.from('secret'),
          }),
          mqtt.generate({
            cmd: 'publish',
            topic: 't',
            qos: 1,
            messageId: 1,
            dup: false,
            retain: false,
            payload: Buffer.from('x'),
          }),
        ]),
      );
      expect((await c.next())?.cmd).toBe('connack');
      await until(() => fake.uploads.length === 1);
      fake.uploads[0]?.resolve({ tenant, assertion });
      expect(await c.next()).toMatchObject({ cmd: 'puback', messageId: 1 });
    });
  });

  describe('in-flight window', () => {
    it('stops reading while the window is full and resumes as uploads finish', async () => {
      await start({ maxInFlight: 2 });
      const c = await connected();
      // Five publishes in one write: the adapter must not parse more than the window.
      c.socket.write(
        Buffer.concat(
          [1, 2, 3, 4, 5].map((id) =>
            mqtt.generate({
              cmd: 'publish',
              topic: 't',
              qos: 1,
              messageId: id,
              dup: false,
              retain: false,
              payload: Buffer.from(String(id)),
            }),
          ),
        ),
      );
      await until(() => fake.uploads.length === 2);
      await tick(100);
      expect(fake.uploads).toHaveLength(2);
      fake.uploads[0]?.resolve({ tenant, assertion });
      expect(await c.next()).toMatchObject({ cmd: 'puback', messageId: 1 });
      await until(() => fake.uploads.length === 3);
      await tick(50);
      expect(fake.uploads).toHaveLength(3);
      for (const u of fake.uploads) u.resolve({ tenant, assertion });
      await until(() => fake.uploads.length === 5);
      for (const u of fake.uploads) u.resolve({ tenant, assertion });
      const acked: number[] = [];
      while (acked.length < 4) {
        const p = await c.next();
        if (p?.cmd === 'puback') acked.push(p.messageId ?? 0);
      }
      expect(acked.sort()).toEqual([2, 3, 4, 5]);
    });
  });

  describe('unauthenticated devices', () => {
    it('accepts a CONNECT without credentials when allowed; topics name tenant and device', async () => {
      await start({ authenticationRequired: false });
      const c = await client();
      expect((await c.connack(null)).returnCode).toBe(0);
      c.publish('t/acme/dev-9', 1, 1);
      await until(() => fake.uploads.length === 1);
      expect(fake.uploads[0]?.request).toMatchObject({
        authenticated: undefined,
        tenantId: 'acme',
        deviceId: 'dev-9',
      });
      c.publish('telemetry', 1, 2);
      await c.closed;
    });
  });

  describe('stop', () => {
    it('lets in-flight publishes finish with their PUBACK, then closes', async () => {
      await start();
      const c = await connected();
      c.publish('t', 1, 11);
      await until(() => fake.uploads.length === 1);
      const stopped = sut.stop();
      await tick();
      expect(c.isClosed).toBe(false);
      // Publishes after the stop began are not taken.
      c.publish('t', 1, 12);
      await tick();
      expect(fake.uploads).toHaveLength(1);
      fake.uploads[0]?.resolve({ tenant, assertion });
      expect(await c.next()).toMatchObject({ cmd: 'puback', messageId: 11 });
      await stopped;
      await c.closed;
      // A new connection is refused.
      await expect(TestClient.open(port)).rejects.toThrow();
      await sut.start();
    });
  });

  describe('TLS', () => {
    const pki = new TestPki();
    let serverCert: TestCertificate;
    let deviceCert: TestCertificate;
    let tlsPort = 0;

    beforeAll(async () => {
      serverCert = await pki.selfSigned('server', '/CN=localhost', { server: true });
      const ca = await pki.selfSigned('ca', '/O=Tessera/CN=acme-ca');
      deviceCert = await pki.issue(ca, 'device', '/O=Tessera/CN=dev-1');
    });

    beforeEach(async () => {
      await start({
        tls: { port: 0, key: serverCert.keyPem, cert: serverCert.certPem },
      });
      tlsPort = Number(new URL(sut.endpoints.mqtts ?? '').port);
    });

    it('authenticates the client certificate, which wins over a password', async () => {
      fake.runtime.authenticator.authenticateCertificate.mockResolvedValueOnce({
        device: { tenantId: 'acme', deviceId: 'dev-1', authId: 'CN=dev-1', method: 'certificate' },
        autoProvisioned: false,
      });
      const c = await TestClient.openTls(tlsPort, serverCert.certPem, deviceCert);
      clients.push(c);
      expect((await c.connack('other@acme', 'wrong')).returnCode).toBe(0);
      const [der] = fake.runtime.authenticator.authenticateCertificate.mock.calls[0] as unknown as [
        Buffer,
      ];
      expect(der.toString('base64')).toBe(deviceCert.derBase64);
      expect(fake.runtime.authenticator.authenticatePassword).not.toHaveBeenCalled();
    });

    it('refuses an untrusted client certificate with 0x04', async () => {
      const c = await TestClient.openTls(tlsPort, serverCert.certPem, deviceCert);
      clients.push(c);
      expect((await c.connack(null)).returnCode).toBe(0x04);
    });

    it('falls back to user name and password without a client certificate', async () => {
      const c = await TestClient.openTls(tlsPort, serverCert.certPem);
      clients.push(c);
      expect((await c.connack()).returnCode).toBe(0);
      expect(fake.runtime.authenticator.authenticateCertificate).not.toHaveBeenCalled();
    });
  });
});
