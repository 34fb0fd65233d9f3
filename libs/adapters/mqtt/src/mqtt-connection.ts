import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

import * as mqtt from 'mqtt-packet';

import {
  type AuthenticatedDevice,
  type ConnectionLimits,
  type ConnectionSlot,
  type DeviceAuthenticator,
  type MessageUploader,
  parseUsername,
  toAdapterError,
  unauthorized,
} from '@tessera/adapter-base';
import type { ServiceInvocationError } from '@tessera/registry-api';
import type { RegistrationClient, TenantClient } from '@tessera/registry-client';
import {
  isTracingEnabled,
  SAMPLING_MODE_ATTRIBUTE,
  samplingModeOf,
  SpanAttributes,
  SpanKind,
  withSpan,
} from '@tessera/telemetry';

import { PacketFramer } from './packet-framer';
import {
  checkQos,
  connackCode,
  disconnectReason,
  parsePublishTopic,
  resolveTarget,
} from './topic-mapping';

/** The parts of the adapter runtime a connection uses (an `AdapterRuntime` fits). */
export interface MqttConnectionRuntime {
  readonly authenticator: Pick<
    DeviceAuthenticator,
    'authenticatePassword' | 'authenticateCertificate'
  >;
  readonly clients: {
    readonly tenant: Pick<TenantClient, 'get'>;
    readonly registration: Pick<RegistrationClient, 'assertRegistration'>;
  };
  readonly uploader: Pick<MessageUploader, 'upload' | 'checkTenant' | 'checkDataVolume'>;
}

/** Limits of every connection of a server. */
export interface MqttConnectionOptions {
  /** Accept a CONNECT without credentials (each publish then names tenant and device). */
  readonly authenticationRequired: boolean;
  /** Uploads in flight before the connection stops reading. */
  readonly maxInFlight: number;
  /** How long a new connection may take to send CONNECT (ms). */
  readonly connectTimeoutMs: number;
  /** The largest "remaining length" of a packet; a larger one closes the connection. */
  readonly maxPacketBytes: number;
}

/** What all connections of a server share (one object, so a connection holds one reference). */
export interface MqttConnectionContext {
  readonly runtime: MqttConnectionRuntime;
  readonly options: MqttConnectionOptions;
  /** The adapter's connection limits, shared by all its connections. */
  readonly limits: ConnectionLimits;
  /** After CONNACK 0 (`device` undefined for an unauthenticated connection). */
  readonly onConnected?: (connection: MqttConnection) => void;
  /** After a CONNECT was refused for `error` (authentication, checks, limits). */
  readonly onRefused?: (connection: MqttConnection, error: ServiceInvocationError) => void;
  /** Once the socket closed, whatever the reason; `accepted` if CONNACK 0 had been sent. */
  readonly onClosed?: (connection: MqttConnection, accepted: boolean) => void;
}

type State = 'awaiting-connect' | 'authenticating' | 'connected' | 'draining' | 'closed';

const V5 = { protocolVersion: 5 };
const V4 = { protocolVersion: 4 };
/** MQTT 5 reason code of a DISCONNECT at shutdown. */
const SERVER_SHUTTING_DOWN = 0x8b;

/**
 * One device connection of Hono's MQTT adapter: waits for CONNECT, authenticates (client
 * certificate first, then user name and password), checks tenant and registration, then forwards
 * each PUBLISH through the shared upload pipeline and acknowledges QoS 1 once the broker did.
 * Any processing error closes the connection (Hono's behaviour without an error subscription).
 */
export class MqttConnection {
  private state: State = 'awaiting-connect';
  private version = 4;
  private authenticated: AuthenticatedDevice | undefined;
  private inFlight = 0;
  /** CONNACK 0 was sent. */
  private accepted = false;
  /** The connection's place in the adapter's connection limits, from CONNECT to its end. */
  private slot: ConnectionSlot | undefined;
  /** Bytes received but not parsed yet, kept while reading is paused. */
  private backlog: Buffer | undefined;
  private drained: (() => void) | undefined;
  private parser: mqtt.Parser;
  private readonly framer: PacketFramer;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: MqttConnectionContext,
  ) {
    this.framer = new PacketFramer(ctx.options.maxPacketBytes);
    this.parser = this.createParser({});
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('drain', () => {
      this.updateFlow();
    });
    socket.on('timeout', () => {
      // A connection waiting for its own uploads is not idle: the adapter is.
      if (this.inFlight === 0 || this.state === 'closed') this.destroy();
    });
    socket.on('error', () => {
      this.destroy();
    });
    socket.once('close', () => {
      this.onClose();
    });
    socket.setTimeout(ctx.options.connectTimeoutMs);
  }

  private createParser(settings: object): mqtt.Parser {
    const parser = mqtt.parser(settings);
    parser.on('packet', (packet) => {
      this.onPacket(packet);
    });
    parser.on('error', () => {
      this.destroy();
    });
    return parser;
  }

  /** The device that authenticated; `undefined` before CONNACK or for an anonymous connection. */
  get device(): AuthenticatedDevice | undefined {
    return this.authenticated;
  }

  /** The MQTT protocol version of the CONNECT (4 = 3.1.1, 5). */
  get protocolVersion(): number {
    return this.version;
  }

  /** Uploads not finished yet. */
  get pendingUploads(): number {
    return this.inFlight;
  }

  /**
   * Stops reading (no new publishes are taken) and resolves once the uploads in flight finished
   * and their PUBACKs were written.
   */
  drain(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.state = 'draining';
    this.backlog = undefined;
    this.updateFlow();
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drained = resolve;
    });
  }

  /** Closes the connection, with an MQTT 5 DISCONNECT "server shutting down" where it applies. */
  close(): void {
    if (this.state === 'closed') return;
    if (this.version === 5 && this.authenticated !== undefined) {
      this.write({ cmd: 'disconnect', reasonCode: SERVER_SHUTTING_DOWN });
    }
    this.end();
  }

  /**
   * Parses no more packets than the connection may take now: one before CONNACK, else up to the
   * free in-flight window. The rest waits, with the socket paused, until uploads finish.
   */
  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && this.state !== 'closed') {
      if (this.shouldPause()) {
        if (this.state !== 'draining') this.backlog = chunk.subarray(offset);
        this.socket.pause();
        return;
      }
      const budget =
        this.state === 'connected' ? Math.max(1, this.ctx.options.maxInFlight - this.inFlight) : 1;
      const end = this.framer.scan(chunk, offset, budget);
      if (end < 0) {
        this.disconnect(413);
        return;
      }
      this.parser.parse(chunk.subarray(offset, end));
      offset = end;
    }
  }

  private onPacket(packet: mqtt.Packet): void {
    if (this.state === 'connected') {
      this.dispatch(packet);
    } else if (this.state === 'awaiting-connect') {
      if (packet.cmd === 'connect') void this.onConnect(packet);
      else this.destroy();
    }
    // Draining or closed: nothing new is taken; an unacknowledged publish is resent elsewhere.
  }

  private dispatch(packet: mqtt.Packet): void {
    switch (packet.cmd) {
      case 'publish':
        this.onPublish(packet);
        return;
      case 'pingreq':
        this.write({ cmd: 'pingresp' });
        return;
      case 'subscribe':
        // At least one filter (MQTT-3.8.3-3): an empty one is a protocol violation.
        if (packet.subscriptions.length === 0) {
          this.destroy();
          return;
        }
        // Commands and error topics are not supported: every filter fails.
        this.write({
          cmd: 'suback',
          messageId: packet.messageId ?? 0,
          granted: packet.subscriptions.map(() => 0x80),
        });
        return;
      case 'unsubscribe':
        // At least one filter (MQTT-3.10.3-2).
        if (packet.unsubscriptions.length === 0) {
          this.destroy();
          return;
        }
        this.write({
          cmd: 'unsuback',
          messageId: packet.messageId ?? 0,
          // MQTT 5 lists a reason per filter: "no subscription existed".
          granted: this.version === 5 ? packet.unsubscriptions.map(() => 0x11) : [],
        });
        return;
      case 'disconnect':
        this.end();
        return;
      case 'puback':
      case 'pubrec':
      case 'pubrel':
      case 'pubcomp':
        // The adapter never publishes to devices; stray acknowledgements are ignored.
        return;
      default:
        // A second CONNECT, server-to-client packets, AUTH: protocol violations.
        this.destroy();
    }
  }

  private async onConnect(packet: mqtt.IConnectPacket): Promise<void> {
    this.state = 'authenticating';
    this.version = packet.protocolVersion ?? 4;
    // The parser keeps the CONNECT (password included) as its settings; CONNECT was the only
    // packet it was given, so a fresh one that knows just the version takes over.
    this.parser = this.createParser({ protocolVersion: this.version });
    this.updateFlow();
    if (this.version !== 4 && this.version !== 5) {
      // MQTT 3.1: "unacceptable protocol version".
      this.refuse(0x01);
      return;
    }
    if (packet.clientId === '' && packet.clean === false && this.version === 4) {
      this.refuse(0x02);
      return;
    }
    let device: AuthenticatedDevice | undefined;
    try {
      // Before any registry lookup or hash check: a full adapter or a flood of attempts for one
      // tenant costs no more than this.
      this.slot = this.ctx.limits.admit(this.claimedTenant(packet));
      device = await this.authenticate(packet);
      if (device !== undefined) {
        await this.checkDevice(device);
      } else if (this.ctx.options.authenticationRequired) {
        throw unauthorized();
      }
    } catch (error) {
      if (this.stillIn('authenticating')) {
        const refusal = toAdapterError(error);
        this.ctx.onRefused?.(this, refusal);
        this.refuse(connackCode(refusal, this.version));
      }
      return;
    }
    if (!this.stillIn('authenticating')) return;
    this.authenticated = device;
    this.state = 'connected';
    this.accepted = true;
    const keepAlive = packet.keepalive ?? 0;
    this.socket.setTimeout(keepAlive > 0 ? keepAlive * 1_500 : 0);
    this.write(this.connack(0, packet.clientId === ''));
    this.ctx.onConnected?.(this);
    this.updateFlow();
  }

  /**
   * The tenant a CONNECT claims, for the connection rate limit: its client certificate's issuer
   * (which names the tenant's trusted CA), else the tenant of its user name `auth-id@tenant`.
   */
  private claimedTenant(packet: mqtt.IConnectPacket): string | undefined {
    const tls = this.socket as Partial<TLSSocket>;
    if (typeof tls.getPeerCertificate === 'function') {
      const certificate = tls.getPeerCertificate();
      if ((certificate.raw as Buffer | undefined) !== undefined) {
        return `issuer:${JSON.stringify(certificate.issuer)}`;
      }
    }
    return packet.username === undefined ? undefined : parseUsername(packet.username)?.tenantId;
  }

  /** The client certificate (TLS) wins over user name and password; neither gives `undefined`. */
  private async authenticate(
    packet: mqtt.IConnectPacket,
  ): Promise<AuthenticatedDevice | undefined> {
    const { authenticator } = this.ctx.runtime;
    const tls = this.socket as Partial<TLSSocket>;
    if (typeof tls.getPeerCertificate === 'function') {
      const raw = tls.getPeerCertificate().raw as Buffer | undefined;
      if (raw !== undefined) return (await authenticator.authenticateCertificate(raw)).device;
    }
    if (packet.username === undefined) {
      if (packet.password !== undefined) throw unauthorized();
      return undefined;
    }
    const password = packet.password?.toString('utf8') ?? '';
    return (await authenticator.authenticatePassword(packet.username, password)).device;
  }

  /**
   * Hono's CONNECT checks, in parallel: tenant and adapter enabled, the tenant's connection and
   * data-volume limits, device registered.
   */
  private async checkDevice(device: AuthenticatedDevice): Promise<void> {
    const { clients, uploader } = this.ctx.runtime;
    await Promise.all([
      clients.tenant.get(device.tenantId).then((tenant) => {
        uploader.checkTenant(tenant, false);
        uploader.checkDataVolume(tenant, 1);
        this.slot?.joinTenant(tenant);
      }),
      clients.registration.assertRegistration(device.tenantId, device.deviceId),
    ]);
  }

  private connack(code: number, assignId: boolean): mqtt.IConnackPacket {
    if (this.version !== 5) return { cmd: 'connack', returnCode: code, sessionPresent: false };
    return {
      cmd: 'connack',
      reasonCode: code,
      sessionPresent: false,
      ...(code === 0 && {
        properties: {
          receiveMaximum: this.ctx.options.maxInFlight,
          maximumQoS: 1,
          // MQTT 5 counts the whole packet, the limit only the remaining length: add the header.
          maximumPacketSize: this.ctx.options.maxPacketBytes + 5,
          wildcardSubscriptionAvailable: false,
          subscriptionIdentifiersAvailable: false,
          sharedSubscriptionAvailable: false,
          ...(assignId && { assignedClientIdentifier: randomUUID() }),
        },
      }),
    };
  }

  private refuse(code: number): void {
    this.write(this.connack(code, false));
    this.end();
  }

  private onPublish(packet: mqtt.IPublishPacket): void {
    let request: Parameters<MqttConnectionRuntime['uploader']['upload']>[0];
    try {
      const address = parsePublishTopic(packet.topic);
      const qos = checkQos(address.endpoint, packet.qos);
      const { tenantId, deviceId } = resolveTarget(address, this.authenticated);
      request = {
        endpoint: address.endpoint,
        qos,
        authenticated: this.authenticated,
        tenantId,
        deviceId,
        payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
        contentType: address.contentType ?? packet.properties?.contentType,
        ttlSeconds: address.ttlSeconds,
        origAddress: packet.topic,
      };
    } catch (error) {
      this.disconnect(toAdapterError(error).status);
      return;
    }
    const messageId = packet.messageId;
    this.inFlight++;
    this.updateFlow();
    this.traced(request).then(
      () => {
        this.inFlight--;
        if (request.qos === 1 && messageId !== undefined) {
          this.write({ cmd: 'puback', messageId });
        }
        this.afterUpload();
      },
      (error: unknown) => {
        this.inFlight--;
        this.disconnect(toAdapterError(error).status);
        this.afterUpload();
      },
    );
  }

  /** Hono's upload span, sampled as the tenant's `tracing` object says. */
  private async traced(request: Parameters<MqttConnectionRuntime['uploader']['upload']>[0]) {
    // The tenant's sampling mode only matters where spans are recorded.
    const tenant = isTracingEnabled()
      ? await this.ctx.runtime.clients.tenant.get(request.tenantId).catch(() => undefined)
      : undefined;
    const authId = this.authenticated?.authId;
    return withSpan(
      `upload ${request.endpoint}`,
      {
        [SpanAttributes.TENANT_ID]: request.tenantId,
        [SpanAttributes.DEVICE_ID]: request.deviceId,
        [SpanAttributes.AUTH_ID]: authId,
        [SpanAttributes.QOS]: request.qos,
        [SAMPLING_MODE_ATTRIBUTE]: samplingModeOf(tenant?.tracing, authId),
      },
      () => this.ctx.runtime.uploader.upload(request),
      { kind: SpanKind.SERVER },
    );
  }

  private afterUpload(): void {
    if (this.inFlight === 0 && this.drained !== undefined) {
      const drained = this.drained;
      this.drained = undefined;
      drained();
    }
    this.updateFlow();
  }

  /**
   * Whether to stop reading: until CONNACK once CONNECT arrived, while draining, with the
   * in-flight window full, or while the peer does not read what the adapter writes.
   */
  private shouldPause(): boolean {
    if (this.state === 'awaiting-connect') return false;
    if (this.state !== 'connected') return true;
    return this.inFlight >= this.ctx.options.maxInFlight || this.socket.writableNeedDrain;
  }

  private updateFlow(): void {
    // Before CONNECT the connection reads (the connect timeout bounds it); once closed it is moot.
    if (this.state === 'awaiting-connect' || this.state === 'closed') return;
    if (this.shouldPause()) {
      if (!this.socket.isPaused()) this.socket.pause();
      return;
    }
    if (!this.socket.isPaused()) return;
    const backlog = this.backlog;
    this.backlog = undefined;
    if (backlog !== undefined) {
      this.onData(backlog);
      if (this.shouldPause()) return;
    }
    this.socket.resume();
  }

  private write(packet: mqtt.Packet): void {
    if (this.state === 'closed' || !this.socket.writable) return;
    let bytes: Buffer;
    try {
      bytes = mqtt.generate(packet, this.version === 5 ? V5 : V4);
    } catch {
      // mqtt-packet throws for a packet it cannot encode: that ends this connection, not the process.
      this.destroy();
      return;
    }
    this.socket.write(bytes);
  }

  /** Closes after a processing error: MQTT 5 clients learn why, 3.1.1 clients just lose the connection. */
  private disconnect(status: number): void {
    if (this.state === 'closed') return;
    if (this.version === 5 && this.state !== 'awaiting-connect') {
      this.write({ cmd: 'disconnect', reasonCode: disconnectReason(status) });
    }
    this.end();
  }

  /** Flushes what was written, then closes; the socket timeout bounds a peer that does not read. */
  private end(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.backlog = undefined;
    this.releaseSlot();
    this.socket.setTimeout(this.ctx.options.connectTimeoutMs);
    this.socket.end(() => {
      this.socket.destroy();
    });
  }

  private destroy(): void {
    this.state = 'closed';
    this.backlog = undefined;
    this.releaseSlot();
    this.socket.destroy();
  }

  /** A closing connection no longer counts against the limits, even while its socket lingers. */
  private releaseSlot(): void {
    this.slot?.release();
    this.slot = undefined;
  }

  /** The state after an await or a callback (which TypeScript's narrowing cannot see). */
  private stillIn(state: State): boolean {
    return this.state === state;
  }

  private onClose(): void {
    this.state = 'closed';
    this.backlog = undefined;
    this.releaseSlot();
    this.ctx.onClosed?.(this, this.accepted);
    const drained = this.drained;
    this.drained = undefined;
    drained?.();
  }
}
