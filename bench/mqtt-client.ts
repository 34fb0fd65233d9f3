import { connect as netConnect, type Socket } from 'node:net';

import * as mqtt from 'mqtt-packet';

/** Options of {@link BenchMqttConnection.open}. */
export interface MqttConnectOptions {
  readonly port: number;
  readonly host?: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  /** Seconds; 0 turns keep-alive off. */
  readonly keepalive?: number;
  /** Until CONNACK (ms). */
  readonly timeoutMs?: number;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

const PINGREQ = mqtt.generate({ cmd: 'pingreq' });
const DISCONNECT = mqtt.generate({ cmd: 'disconnect' });

/**
 * A PUBLISH of `payload` to `topic` as bytes, with the offset of its 2-byte message id (QoS 1) so
 * senders can patch a copy instead of encoding every message.
 */
export function publishTemplate(
  topic: string,
  payload: Buffer,
  qos: 0 | 1,
): { bytes: Buffer; messageIdOffset: number } {
  const bytes = mqtt.generate({
    cmd: 'publish',
    topic,
    payload,
    qos,
    dup: false,
    retain: false,
    ...(qos === 1 && { messageId: 1 }),
  });
  return { bytes, messageIdOffset: bytes.length - payload.length - 2 };
}

/**
 * A bare MQTT 3.1.1 client connection on `net` (`mqtt-packet` encodes; the three packets a server
 * answers with are decoded by hand), cheap enough to hold thousands and fast enough not to be the
 * bottleneck: CONNECT, PUBLISH with QoS 0 or 1 (resolved on PUBACK), and PINGREQ as a fence (the
 * server has read everything sent before once PINGRESP arrives).
 */
export class BenchMqttConnection {
  private readonly acks = new Map<number, Pending>();
  private readonly pings: Pending[] = [];
  private nextId = 0;
  private failure: Error | undefined;
  /** Bytes of a packet not complete yet. */
  private partial: Buffer | undefined;
  private onConnack: ((returnCode: number) => void) | undefined;

  private constructor(private readonly socket: Socket) {}

  /** Connects and resolves at CONNACK 0; rejects on a refusal, a close or the timeout. */
  static open(options: MqttConnectOptions): Promise<BenchMqttConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({
        port: options.port,
        host: options.host ?? '127.0.0.1',
        noDelay: true,
      });
      const connection = new BenchMqttConnection(socket);
      let connected = false;
      const fail = (error: Error): void => {
        clearTimeout(timer);
        if (!connected) reject(error);
        connection.fail(error);
        socket.destroy();
      };
      const timer = setTimeout(() => {
        fail(new Error('no CONNACK in time'));
      }, options.timeoutMs ?? 10_000);
      connection.onConnack = (returnCode) => {
        clearTimeout(timer);
        if (returnCode !== 0) {
          fail(new Error(`CONNACK ${String(returnCode)}`));
          return;
        }
        connected = true;
        resolve(connection);
      };
      socket.on('data', (chunk: Buffer) => {
        connection.onData(chunk);
      });
      socket.on('error', fail);
      socket.on('close', () => {
        fail(new Error('connection closed'));
      });
      socket.once('connect', () => {
        socket.write(
          mqtt.generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clean: true,
            clientId: options.clientId,
            keepalive: options.keepalive ?? 0,
            ...(options.username !== undefined && { username: options.username }),
            ...(options.password !== undefined && {
              password: Buffer.from(options.password, 'utf8'),
            }),
          }),
        );
      });
    });
  }

  /** Sends raw bytes (pre-encoded QoS 0 publishes, say) followed by a PINGREQ; resolves at PINGRESP. */
  sendWithFence(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pings.push({ resolve, reject });
      this.socket.write(bytes);
      this.socket.write(PINGREQ);
    });
  }

  /** Sends a copy of a QoS 1 template with a fresh message id; resolves at its PUBACK. */
  publishQos1(template: { bytes: Buffer; messageIdOffset: number }): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let id = (this.nextId % 0xffff) + 1;
    while (this.acks.has(id)) id = (id % 0xffff) + 1;
    this.nextId = id;
    const bytes = Buffer.from(template.bytes);
    bytes.writeUInt16BE(id, template.messageIdOffset);
    return new Promise((resolve, reject) => {
      this.acks.set(id, { resolve, reject });
      this.socket.write(bytes);
    });
  }

  /** DISCONNECT, then closes. */
  close(): void {
    if (this.failure === undefined && this.socket.writable) this.socket.end(DISCONNECT);
    else this.socket.destroy();
  }

  /**
   * Decodes what a server sends a publishing 3.1.1 client: CONNACK, PUBACK, PINGRESP (fixed, tiny
   * packets; no parser object per connection). Anything else is a protocol error here.
   */
  private onData(chunk: Buffer): void {
    const buf = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let offset = 0;
    while (offset < buf.length) {
      // Fixed header: type, then the remaining length as a variable-byte integer.
      let length = 0;
      let multiplier = 1;
      let pos = offset + 1;
      for (;;) {
        if (pos >= buf.length) {
          this.partial = buf.subarray(offset);
          return;
        }
        const byte = buf[pos++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) break;
      }
      if (pos + length > buf.length) {
        this.partial = buf.subarray(offset);
        return;
      }
      const type = buf[offset]! >> 4;
      if (type === 2 && length === 2) {
        this.onConnack?.(buf[pos + 1]!);
      } else if (type === 4 && length === 2) {
        const id = buf.readUInt16BE(pos);
        const pending = this.acks.get(id);
        this.acks.delete(id);
        pending?.resolve();
      } else if (type === 13 && length === 0) {
        this.pings.shift()?.resolve();
      } else {
        this.fail(new Error(`unexpected MQTT packet type ${String(type)}`));
        this.socket.destroy();
        return;
      }
      offset = pos + length;
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.acks.values()) pending.reject(error);
    this.acks.clear();
    for (const pending of this.pings.splice(0)) pending.reject(error);
  }
}
