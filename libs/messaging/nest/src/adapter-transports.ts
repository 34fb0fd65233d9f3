import { randomUUID } from 'node:crypto';

import type { MessageReceiver, MessageSender, RequestResponseClient } from '@tessera/messaging';
import { AmqpRequestResponseClient, AmqpSender } from '@tessera/messaging-amqp';
import {
  KafkaConsumer,
  type KafkaConnectionOptions,
  KafkaProbe,
  KafkaSender,
} from '@tessera/messaging-kafka';

/** Where a protocol adapter finds the registry and the downstream brokers. */
export interface AdapterTransportOptions {
  /** AMQP URLs of the Tenant, Device Registration and Credentials APIs (may all be the same). */
  readonly registry: {
    readonly tenant: string;
    readonly registration: string;
    readonly credentials: string;
  };
  readonly registryTls?: { ca?: Buffer | string; rejectUnauthorized?: boolean } | undefined;
  /** Kafka for telemetry, events and the registry notifications. */
  readonly kafka?: KafkaConnectionOptions | undefined;
  /** An AMQP 1.0 broker for tenants with `ext.messaging-type: amqp`. */
  readonly amqpBroker?: { readonly url: string } | undefined;
  /** The AMQP container id prefix, e.g. `tessera-http-adapter`. */
  readonly name: string;
}

/** The connections of an adapter (structurally the `AdapterTransports` of `@tessera/adapter-base`). */
export interface AdapterConnections {
  readonly registry: {
    readonly tenant: RequestResponseClient;
    readonly registration: RequestResponseClient;
    readonly credentials: RequestResponseClient;
  };
  readonly downstream: { kafka?: MessageSender; amqp?: MessageSender };
  readonly notifications?: MessageReceiver | undefined;
  readonly checks: Record<string, () => boolean | Promise<boolean>>;
  readonly lifecycle: readonly { start(): Promise<void>; stop(): Promise<void> }[];
}

/**
 * Builds a protocol adapter's connections from config: one AMQP connection per distinct registry
 * URL (Hono's three client connections, shared when they point at one endpoint), a Kafka producer
 * and notification consumer when Kafka is configured, and an AMQP sender to the broker when one
 * is configured. Nothing is connected until `lifecycle` is started.
 */
export function createAdapterConnections(options: AdapterTransportOptions): AdapterConnections {
  const byUrl = new Map<string, AmqpRequestResponseClient>();
  const registryClient = (url: string): AmqpRequestResponseClient => {
    let client = byUrl.get(url);
    if (client === undefined) {
      client = new AmqpRequestResponseClient({
        url,
        containerId: `${options.name}-${randomUUID()}`,
        ...(options.registryTls && { tls: options.registryTls }),
      });
      byUrl.set(url, client);
    }
    return client;
  };
  const registry = {
    tenant: registryClient(options.registry.tenant),
    registration: registryClient(options.registry.registration),
    credentials: registryClient(options.registry.credentials),
  };
  const downstream: { kafka?: MessageSender; amqp?: MessageSender } = {};
  const checks: Record<string, () => boolean | Promise<boolean>> = {};
  const lifecycle: { start(): Promise<void>; stop(): Promise<void> }[] = [...byUrl.values()];
  checks['registry'] = () => [...byUrl.values()].every((c) => c.status === 'connected');

  let notifications: MessageReceiver | undefined;
  if (options.kafka) {
    const kafka = new KafkaSender(options.kafka);
    downstream.kafka = kafka;
    const probe = new KafkaProbe(options.kafka.brokers);
    checks['kafka'] = () => probe.isReachable();
    notifications = new KafkaConsumer(options.kafka, `${options.name}-${randomUUID()}`);
    lifecycle.push(kafka, notifications);
  }
  if (options.amqpBroker) {
    const amqp = new AmqpSender({
      url: options.amqpBroker.url,
      containerId: `${options.name}-${randomUUID()}`,
    });
    downstream.amqp = amqp;
    checks['amqp'] = () => amqp.status === 'connected';
    lifecycle.push(amqp);
  }
  return { registry, downstream, notifications, checks, lifecycle };
}
