import { connect, type Socket } from 'node:net';

import * as mqtt from 'mqtt-packet';

import { unauthorized } from '@tessera/adapter-base';
import type { RegistrationAssertion, TenantObject } from '@tessera/registry-api';

import { MqttAdapterServer } from './mqtt-adapter.server';
import type { MqttConnectionRuntime } from './mqtt-connection';

/*
 * Protocol violations found by the garbage campaign (services/mqtt-adapter): a SUBSCRIBE or
 * UNSUBSCRIBE without a single topic filter made mqtt-packet throw while the adapter built its
 * answer, inside the socket's data handler, and took the process down.
 */

const tenant = { 'tenant-id': 'acme', enabled: true } as unknown as TenantObject;

const runtime = {
  authenticator: {
    authenticatePassword: (username: string, password: string) =>
      username === 'dev-1@acme' && password === 'secret'
        ? Promise.resolve({
            device: { tenantId: 'acme', deviceId: 'dev-1', authId: 'dev-1', method: 'password' },
            autoProvisioned: false,
          } as const)
        : Promise.reject(unauthorized()),
    authenticateCertificate: () => Promise.reject(unauthorized()),
  },
  clients: {
    tenant: { get: () => Promise.resolve(tenant) },
    registration: {
      assertRegistration: () =>
        Promise.resolve({ 'device-id': 'dev-1' } as unknown as RegistrationAssertion),
    },
  },
  uploader: {
    checkTenant: () => undefined,
    checkDataVolume: () => undefined,
    upload: () => Promise.resolve({ tenant, assertion: {} as RegistrationAssertion }),
  },
} satisfies MqttConnectionRuntime;

/** A connected device (CONNACK 0 received); `packets` collects what the adapter sends after. */
async function device(port: number, version: 4 | 5) {
  const socket: Socket = connect(port, '127.0.0.1');
  const packets: string[] = [];
  const parser = mqtt.parser({ protocolVersion: version });
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      resolve();
    });
  });
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  await new Promise<void>((resolve) => {
    parser.on('packet', (packet) => {
      packets.push(packet.cmd);
      if (packet.cmd === 'connack') resolve();
    });
    socket.write(
      mqtt.generate(
        {
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: version,
          clientId: `c-${String(version)}`,
          clean: true,
          keepalive: 60,
          username: 'dev-1@acme',
          password: Buffer.from('secret'),
        },
        { protocolVersion: version },
      ),
    );
  });
  return { socket, packets, closed };
}

describe('MqttConnection protocol violations', () => {
  let server: MqttAdapterServer;
  let port = 0;

  beforeEach(async () => {
    server = new MqttAdapterServer(runtime, {
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 2_048,
      connectTimeoutMs: 2_000,
      drainTimeoutMs: 500,
    });
    await server.start();
    port = Number(new URL(server.endpoints.mqtt ?? '').port);
  });

  afterEach(async () => {
    await server.stop();
  });

  it.each([
    ['SUBSCRIBE', 4, [0x82, 0x02, 0x00, 0x01]],
    ['SUBSCRIBE', 5, [0x82, 0x03, 0x00, 0x01, 0x00]],
    ['UNSUBSCRIBE', 4, [0xa2, 0x02, 0x00, 0x01]],
    ['UNSUBSCRIBE', 5, [0xa2, 0x03, 0x00, 0x01, 0x00]],
  ] as const)(
    'closes the connection of an %s without topic filters (MQTT %i), and only that one',
    async (_name, version, packet) => {
      const bystander = await device(port, 4);
      const violator = await device(port, version);
      violator.socket.write(Buffer.from(packet));
      await violator.closed;
      expect(violator.packets).toEqual(['connack']);
      bystander.socket.write(mqtt.generate({ cmd: 'pingreq' }));
      await new Promise<void>((resolve) => {
        bystander.socket.once('data', () => {
          resolve();
        });
      });
      expect(bystander.packets).toEqual(['connack', 'pingresp']);
      bystander.socket.destroy();
    },
  );
});
