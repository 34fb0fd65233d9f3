import { randomUUID } from 'node:crypto';

import type { MessageReceiver, MessageSender, RequestResponseClient } from '@tessera/messaging';
import { AmqpRequestResponseClient, AmqpSender } from '@tessera/messaging-amqp';
import {
  KafkaConsumer,
  type KafkaConnectionOptions,
  KafkaProbe,
  KafkaSender,
} from '@tessera/messaging-kafka';

/** Where the provisioning-notification service reads tenants and puts the notifications. */
export interface ProvisioningNotificationTransportOptions {
  /** AMQP URL of the Tenant API (with SASL PLAIN credentials in the URL where needed). */
  readonly tenantUrl: string;
  readonly tenantTls?: { ca?: Buffer | string; rejectUnauthorized?: boolean } | undefined;
  /** Kafka for `hono.event.<tenant>` and the registry's tenant change notifications. */
  readonly kafka?: KafkaConnectionOptions | undefined;
  /** An AMQP 1.0 broker for tenants with `ext.messaging-type: amqp` (`event/<tenant>`). */
  readonly amqpBroker?: { readonly url: string } | undefined;
  /** The AMQP container id prefix, e.g. `tessera-provisioning-notification`. */
  readonly name: string;
  /** How long an acknowledged send may take by default (ms). */
  readonly sendTimeoutMs?: number;
}

/** The connections of the provisioning-notification service. Nothing is connected until started. */
export interface ProvisioningNotificationConnections {
  /** The Tenant API transport. */
  readonly tenant: RequestResponseClient;
  /** One sender per configured northbound messaging system. */
  readonly downstream: { kafka?: MessageSender; amqp?: MessageSender };
  /** Registry change notifications (Kafka only), to keep the tenant cache fresh. */
  readonly notifications?: MessageReceiver | undefined;
  /** Readiness: `tenant-api`, and `kafka` / `amqp` for each configured broker. */
  readonly checks: Record<string, () => boolean | Promise<boolean>>;
  readonly lifecycle: readonly { start(): Promise<void>; stop(): Promise<void> }[];
}

/**
 * Builds the provisioning-notification service's connections from config: the Tenant API client,
 * the idempotent `acks=all` Kafka producer and the tenant notification consumer when Kafka is
 * configured, and an AMQP sender when a broker is configured.
 */
export function createProvisioningNotificationConnections(
  options: ProvisioningNotificationTransportOptions,
): ProvisioningNotificationConnections {
  const tenant = new AmqpRequestResponseClient({
    url: options.tenantUrl,
    containerId: `${options.name}-${randomUUID()}`,
    ...(options.tenantTls && { tls: options.tenantTls }),
  });
  const downstream: { kafka?: MessageSender; amqp?: MessageSender } = {};
  const checks: Record<string, () => boolean | Promise<boolean>> = {
    'tenant-api': () => tenant.status === 'connected',
  };
  const lifecycle: { start(): Promise<void>; stop(): Promise<void> }[] = [tenant];
  let notifications: MessageReceiver | undefined;
  if (options.kafka) {
    const kafka = new KafkaSender(options.kafka, options.sendTimeoutMs);
    downstream.kafka = kafka;
    const probe = new KafkaProbe(options.kafka.brokers);
    checks['kafka'] = () => probe.isReachable();
    notifications = new KafkaConsumer(options.kafka, `${options.name}-${randomUUID()}`);
    lifecycle.push(kafka, notifications);
  }
  if (options.amqpBroker) {
    const amqp = new AmqpSender(
      { url: options.amqpBroker.url, containerId: `${options.name}-${randomUUID()}` },
      options.sendTimeoutMs,
    );
    downstream.amqp = amqp;
    checks['amqp'] = () => amqp.status === 'connected';
    lifecycle.push(amqp);
  }
  return { tenant, downstream, notifications, checks, lifecycle };
}
