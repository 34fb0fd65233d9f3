import { spawn } from 'node:child_process';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';

import * as mqtt from 'mqtt-packet';

/**
 * The MQTT baseline: `net` + `mqtt-packet` and nothing else. It answers CONNECT with CONNACK 0
 * (no authentication), QoS 1 PUBLISH with PUBACK and PINGREQ with PINGRESP, drops QoS 0 PUBLISH,
 * and otherwise idles. A connection costs a socket, a parser and three closures.
 */
export function createMinimalMqttServer(): Server {
  const connack = mqtt.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });
  const pingresp = mqtt.generate({ cmd: 'pingresp' });
  return createServer({ noDelay: true }, (socket) => {
    const parser = mqtt.parser();
    parser.on('packet', (packet) => {
      switch (packet.cmd) {
        case 'connect':
          socket.write(connack);
          break;
        case 'publish':
          if (packet.qos === 1) {
            socket.write(mqtt.generate({ cmd: 'puback', messageId: packet.messageId ?? 0 }));
          }
          break;
        case 'pingreq':
          socket.write(pingresp);
          break;
        case 'disconnect':
          socket.end();
          break;
        default:
          break;
      }
    });
    parser.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
    socket.on('error', () => socket.destroy());
  });
}

/** The baseline server running as its own process (as the adapter does), for its RSS. */
export interface MinimalMqttProcess {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

const READY = /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/;

/** Starts this file as a process (same heap limit as the adapters) and waits for its port. */
export function spawnMinimalMqttServer(): Promise<MinimalMqttProcess> {
  const root = join(__dirname, '..');
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=256', '-r', '@swc-node/register', __filename],
    {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = READY.exec(output)?.[1];
      if (port === undefined || child.pid === undefined) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve({ port: Number(port), pid: child.pid, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => {
      reject(new Error(`minimal MQTT server exited:\n${output}`));
    });
  });
}

if (require.main === module) {
  const server = createMinimalMqttServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`listening on mqtt://127.0.0.1:${String(port)}\n`);
  });
  process.once('SIGTERM', () => {
    process.exit(0);
  });
}
