import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

import { connectionAttemptOutcome, ConnectionLimits } from '@tessera/adapter-base';
import { counter, upDownCounter } from '@tessera/telemetry';

import {
  MqttConnection,
  type MqttConnectionContext,
  type MqttConnectionRuntime,
} from './mqtt-connection';

/** Hono's adapter type and `orig_adapter` of the MQTT adapter. */
export const MQTT_ADAPTER_TYPE = 'hono-mqtt';

/** Room for the fixed header fields, topic and properties of a PUBLISH besides its payload. */
const PACKET_OVERHEAD_BYTES = 1_024;

/** Where the device listeners are, once started. */
export interface MqttAdapterEndpoints {
  readonly mqtt?: string;
  readonly mqtts?: string;
}

/** Options of an {@link MqttAdapterServer}. */
export interface MqttAdapterServerOptions {
  readonly host: string;
  /** Plain MQTT port, or `undefined` for none. */
  readonly port?: number | undefined;
  /** MQTT over TLS (client certificates requested, validated per tenant by the adapter). */
  readonly tls?: { readonly port: number; readonly key: string; readonly cert: string } | undefined;
  /** The largest payload accepted (bytes): packets beyond it plus some overhead close the connection. */
  readonly maxPayloadBytes: number;
  readonly authenticationRequired?: boolean;
  readonly maxInFlight?: number;
  readonly connectTimeoutMs?: number;
  /**
   * Connections this instance holds at most (those being authenticated included); a CONNECT
   * beyond is refused (3.1.1 `0x03`, MQTT 5 `0x9C` "use another server"). Default 50,000.
   */
  readonly maxConnections?: number;
  /**
   * CONNECT attempts per tenant (claimed by the user name or the certificate's issuer): a token
   * bucket of `burst` refilled at `perSecond`, checked before authentication; an attempt beyond is
   * refused (3.1.1 `0x03`, MQTT 5 `0x9F` "connection rate exceeded"). `undefined`: no limit.
   */
  readonly tenantConnectRate?: { readonly perSecond: number; readonly burst: number } | undefined;
  /** How long shutdown waits for publishes in flight (ms). */
  readonly drainTimeoutMs?: number;
}

const authenticatedConnections = upDownCounter(
  'hono.connections.authenticated',
  'Open MQTT connections of authenticated devices, by tenant',
);
const unauthenticatedConnections = upDownCounter(
  'hono.connections.unauthenticated',
  'Open MQTT connections of unauthenticated devices',
);
const connectionAttempts = counter(
  'hono.connections.attempts',
  'MQTT CONNECTs by outcome (Hono’s, e.g. succeeded, unauthorized, tenant-connections-exceeded) and tenant',
);

/**
 * Hono's MQTT protocol adapter on Node's own `net`/`tls` servers with `mqtt-packet` (no broker
 * library: a connection costs a socket, a parser and one small object). Devices publish telemetry
 * and events; the adapter keeps no sessions, subscriptions, retained or will messages.
 */
export class MqttAdapterServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<MqttConnection>();
  private readonly context: MqttConnectionContext;
  private readonly limits: ConnectionLimits;
  private urls: { mqtt?: string; mqtts?: string } = {};
  private stopping = false;

  constructor(
    runtime: MqttConnectionRuntime,
    private readonly options: MqttAdapterServerOptions,
  ) {
    this.limits = new ConnectionLimits({
      maxConnections: options.maxConnections ?? 50_000,
      connectRate: options.tenantConnectRate,
    });
    this.context = {
      runtime,
      limits: this.limits,
      options: {
        authenticationRequired: options.authenticationRequired ?? true,
        maxInFlight: options.maxInFlight ?? 100,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        maxPacketBytes: options.maxPayloadBytes + PACKET_OVERHEAD_BYTES,
      },
      onConnected: (connection) => {
        const device = connection.device;
        if (device === undefined) unauthenticatedConnections.add(1);
        else authenticatedConnections.add(1, { tenant: device.tenantId });
        connectionAttempts.add(1, {
          outcome: 'succeeded',
          ...(device !== undefined && { tenant: device.tenantId }),
        });
      },
      onRefused: (_connection, error) => {
        connectionAttempts.add(1, {
          outcome: connectionAttemptOutcome(error),
          ...(error.tenantId !== undefined && { tenant: error.tenantId }),
        });
      },
      onClosed: (connection, accepted) => {
        this.connections.delete(connection);
        if (!accepted) return;
        const device = connection.device;
        if (device === undefined) unauthenticatedConnections.add(-1);
        else authenticatedConnections.add(-1, { tenant: device.tenantId });
      },
    };
  }

  get endpoints(): MqttAdapterEndpoints {
    return this.urls;
  }

  /** Open connections (including those not yet past CONNECT). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Connections counted against the limits (past CONNECT, not closing), in all or of a tenant. */
  countedConnections(tenantId?: string): number {
    return tenantId === undefined
      ? this.limits.connections
      : this.limits.tenantConnections(tenantId);
  }

  async start(): Promise<void> {
    this.stopping = false;
    const accept = (socket: Socket): void => {
      this.accept(socket);
    };
    if (this.options.port !== undefined) {
      const server = createNetServer({ noDelay: true }, accept);
      const port = await listen(server, this.options.port, this.options.host);
      this.urls.mqtt = `mqtt://${this.options.host}:${String(port)}`;
      this.servers.push(server);
    }
    if (this.options.tls) {
      const server = createTlsServer(
        {
          key: this.options.tls.key,
          cert: this.options.tls.cert,
          // Trust anchors are per tenant: the adapter validates the certificate itself.
          requestCert: true,
          rejectUnauthorized: false,
          handshakeTimeout: this.context.options.connectTimeoutMs,
        },
        accept,
      );
      // A failed handshake concerns that client only (the socket is already destroyed).
      server.on('tlsClientError', () => undefined);
      const port = await listen(server, this.options.tls.port, this.options.host);
      this.urls.mqtts = `mqtts://${this.options.host}:${String(port)}`;
      this.servers.push(server);
    }
  }

  /**
   * Stops accepting, stops reading from every connection, lets the publishes in flight finish
   * with their PUBACKs (bounded by the drain timeout), then closes every connection.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const closed = Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => {
              resolve();
            });
          }),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.connections].map((c) => c.drain())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.drainTimeoutMs ?? 10_000);
      }),
    ]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.close();
    await closed;
    this.servers.length = 0;
    this.urls = {};
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.connections.add(new MqttConnection(socket, this.context));
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      // Accept errors (e.g. EMFILE) must not end the process; the listener keeps going.
      server.on('error', (error) => {
        process.stderr.write(`mqtt-adapter listener error: ${error.message}\n`);
      });
      resolve((server.address() as AddressInfo).port);
    });
  });
}
