import { randomUUID } from 'node:crypto';

import type { Message, MessageReceiver, MessageSender, Subscription } from '@tessera/messaging';
import { type MessagingType, NotificationTopic } from '@tessera/registry-api';
import {
  createRegistryClients,
  parseRegistryNotification,
  type RegistryClients,
  type RegistryTransports,
} from '@tessera/registry-client';

import { DeviceAuthenticator } from './device-authenticator';
import { DownstreamMessaging } from './downstream';
import { MessageUploader } from './message-uploader';
import { VerifiedCredentialsCache } from './verified-credentials.cache';

/** A readiness check of one connection: true while it is usable. */
export type ConnectionCheck = () => boolean | Promise<boolean>;

/** The connections an adapter runs on, built by the app from config (see messaging-nest). */
export interface AdapterTransports {
  /** The registry's request/response transport(s). */
  readonly registry: RegistryTransports;
  /** A sender per configured downstream messaging type. */
  readonly downstream: Readonly<Partial<Record<MessagingType, MessageSender>>>;
  /** Where registry change notifications arrive (Kafka, or in-process in embedded mode). */
  readonly notifications?: MessageReceiver | undefined;
  /** Readiness checks by name (e.g. `registry`, `kafka`, `amqp`). */
  readonly checks: Readonly<Record<string, ConnectionCheck>>;
  /** Everything to start before use and stop at the end, in start order. */
  readonly lifecycle: readonly { start(): Promise<void>; stop(): Promise<void> }[];
}

/** Settings shared by every protocol adapter. */
export interface AdapterRuntimeOptions {
  /** Hono's adapter type, e.g. `hono-http`, `hono-mqtt`. */
  readonly adapterType: string;
  readonly maxPayloadBytes: number;
  /** How long a verified password is trusted without a new hash check (ms). */
  readonly verifiedCredentialsTtlMs: number;
  /** Reply timeout of registry requests (ms). */
  readonly registryTimeoutMs: number;
  /** How long an acknowledged downstream send may take (ms). */
  readonly sendTimeoutMs: number;
  readonly defaultMessagingType?: MessagingType | undefined;
}

/**
 * Everything an adapter shares with the others: registry clients with their caches, the device
 * authenticator, the downstream pipeline, and the registry notifications that keep the caches
 * honest. Framework-free; the adapter apps hold one each.
 */
export class AdapterRuntime {
  readonly clients: RegistryClients;
  readonly verified: VerifiedCredentialsCache;
  readonly authenticator: DeviceAuthenticator;
  readonly downstream: DownstreamMessaging;
  readonly uploader: MessageUploader;
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly transports: AdapterTransports,
    readonly options: AdapterRuntimeOptions,
  ) {
    this.clients = createRegistryClients(transports.registry, {
      timeoutMs: options.registryTimeoutMs,
    });
    this.verified = new VerifiedCredentialsCache({ ttlMs: options.verifiedCredentialsTtlMs });
    this.authenticator = new DeviceAuthenticator(
      this.clients.tenant,
      this.clients.credentials,
      this.verified,
    );
    this.downstream = new DownstreamMessaging(transports.downstream, options.defaultMessagingType);
    this.uploader = new MessageUploader(
      this.clients.tenant,
      this.clients.registration,
      this.downstream,
      {
        adapterType: options.adapterType,
        maxPayloadBytes: options.maxPayloadBytes,
        sendTimeoutMs: options.sendTimeoutMs,
      },
    );
  }

  /**
   * Starts the connections and subscribes to both notification topics. Every adapter instance
   * consumes every notification (a group of its own per topic, as Hono's random-UUID groups).
   * A connection that cannot be opened yet does not fail the start: the clients reconnect, and
   * readiness reports it.
   */
  async start(): Promise<void> {
    await Promise.all(this.transports.lifecycle.map((c) => c.start().catch(() => undefined)));
    const receiver = this.transports.notifications;
    if (receiver === undefined) return;
    const instance = randomUUID();
    const handle = (message: Message): Promise<void> => {
      this.onNotification(message);
      return Promise.resolve();
    };
    this.subscriptions = await Promise.all(
      [NotificationTopic.REGISTRY_TENANT, NotificationTopic.REGISTRY_DEVICE].map((topic) =>
        receiver.subscribe(topic.toString(), handle, {
          groupId: `${this.options.adapterType}-${topic.address}-${instance}`,
        }),
      ),
    );
  }

  /** Unsubscribes and closes the connections (after the app finished in-flight work). */
  async stop(): Promise<void> {
    await Promise.allSettled(this.subscriptions.map((s) => s.close()));
    this.subscriptions = [];
    await Promise.allSettled([...this.transports.lifecycle].reverse().map((c) => c.stop()));
  }

  /** Applies a registry notification to every cache. */
  onNotification(message: Message): void {
    const notification = parseRegistryNotification(message);
    if (notification === undefined) return;
    this.clients.handleNotificationMessage(message);
    this.verified.onNotification(notification);
  }

  /** The readiness of each connection. */
  async readiness(): Promise<Record<string, boolean>> {
    const entries = await Promise.all(
      Object.entries(this.transports.checks).map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}
