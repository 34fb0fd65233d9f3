import { createServer as createNetServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

import { KafkaProbe } from './kafka-probe';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

describe(KafkaProbe.name, () => {
  it('finds a TLS listener reachable without a handshake (no CA, certificate or credentials)', async () => {
    // A TLS server without a key fails every handshake: only the TCP accept is tested.
    const tls = createTlsServer({}, (socket) => socket.destroy());
    tls.on('tlsClientError', () => undefined);
    const port = await listen(tls);
    try {
      expect(await new KafkaProbe([`127.0.0.1:${String(port)}`]).isReachable()).toBe(true);
    } finally {
      tls.close();
    }
  });

  it('tries every bootstrap broker and reports none reachable as false', async () => {
    const closed = createNetServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const open = createNetServer((socket) => socket.destroy());
    const openPort = await listen(open);
    try {
      expect(await new KafkaProbe([`127.0.0.1:${String(closedPort)}`], 500).isReachable()).toBe(
        false,
      );
      expect(
        await new KafkaProbe([
          `127.0.0.1:${String(closedPort)}`,
          `127.0.0.1:${String(openPort)}`,
        ]).isReachable(),
      ).toBe(true);
    } finally {
      open.close();
    }
  });
});
