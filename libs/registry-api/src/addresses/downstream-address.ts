import { ClientError } from '../errors';
import { TenantIdSchema, type TenantId } from '../common/ids';
import type { MessagingType } from '../common/messaging-type';

/** The downstream APIs whose messages flow from devices to business applications. */
export const DownstreamEndpoint = {
  TELEMETRY: 'telemetry',
  EVENT: 'event',
} as const;

/** `telemetry` or `event`. */
export type DownstreamEndpoint = (typeof DownstreamEndpoint)[keyof typeof DownstreamEndpoint];

const ENDPOINTS: readonly string[] = Object.values(DownstreamEndpoint);

/** The prefix of every Kafka topic Hono uses (`hono.<endpoint>.<suffix>`). */
export const KAFKA_TOPIC_PREFIX = 'hono.';

function malformed(address: string, reason: string): ClientError {
  return new ClientError(400, 'ADDRESS.MALFORMED', `malformed address [${address}]: ${reason}`);
}

/**
 * The tenant-scoped destination of telemetry and events (including the device provisioning
 * notification): AMQP address `telemetry/<tenant>` / `event/<tenant>`, Kafka topic
 * `hono.telemetry.<tenant>` / `hono.event.<tenant>` (Hono's `HonoTopic`). Build and parse them
 * only through this value object.
 */
export class DownstreamAddress {
  private constructor(
    /** The downstream API. */
    readonly endpoint: DownstreamEndpoint,
    /** The tenant whose devices sent the messages. */
    readonly tenantId: TenantId,
  ) {}

  /** The telemetry destination of a tenant. */
  static telemetry(tenantId: TenantId): DownstreamAddress {
    return new DownstreamAddress(DownstreamEndpoint.TELEMETRY, tenantId);
  }

  /** The event destination of a tenant. */
  static event(tenantId: TenantId): DownstreamAddress {
    return new DownstreamAddress(DownstreamEndpoint.EVENT, tenantId);
  }

  /** The destination of `endpoint` for a tenant. */
  static of(endpoint: DownstreamEndpoint, tenantId: TenantId): DownstreamAddress {
    return new DownstreamAddress(endpoint, tenantId);
  }

  /**
   * Parses an AMQP address such as `telemetry/DEFAULT_TENANT`.
   *
   * @throws ClientError (400, `ADDRESS.MALFORMED`) for another endpoint, a missing or invalid
   *   tenant ID or extra segments.
   */
  static fromAmqpAddress(address: string): DownstreamAddress {
    const [endpoint, tenant, ...rest] = address.split('/');
    if (endpoint === undefined || !ENDPOINTS.includes(endpoint)) {
      throw malformed(address, 'not a telemetry or event address');
    }
    if (rest.length > 0) throw malformed(address, `expected ${endpoint}/<tenant>`);
    return new DownstreamAddress(endpoint as DownstreamEndpoint, parseTenant(address, tenant));
  }

  /**
   * Parses a Kafka topic such as `hono.event.DEFAULT_TENANT` (tenant IDs may contain dots).
   *
   * @throws ClientError (400, `ADDRESS.MALFORMED`) for another topic or an invalid tenant ID.
   */
  static fromKafkaTopic(topic: string): DownstreamAddress {
    for (const endpoint of ENDPOINTS) {
      const prefix = `${KAFKA_TOPIC_PREFIX}${endpoint}.`;
      if (topic.startsWith(prefix)) {
        const tenant = topic.slice(prefix.length);
        return new DownstreamAddress(endpoint as DownstreamEndpoint, parseTenant(topic, tenant));
      }
    }
    throw malformed(topic, 'not a telemetry or event topic');
  }

  /**
   * Parses the address or topic of the given messaging type.
   *
   * @throws ClientError (400, `ADDRESS.MALFORMED`) as the type-specific parsers do.
   */
  static parse(value: string, messagingType: MessagingType): DownstreamAddress {
    return messagingType === 'kafka'
      ? DownstreamAddress.fromKafkaTopic(value)
      : DownstreamAddress.fromAmqpAddress(value);
  }

  /** The AMQP 1.0 address, e.g. `event/DEFAULT_TENANT`. */
  toAmqpAddress(): string {
    return `${this.endpoint}/${this.tenantId}`;
  }

  /** The Kafka topic, e.g. `hono.event.DEFAULT_TENANT`. */
  toKafkaTopic(): string {
    return `${KAFKA_TOPIC_PREFIX}${this.endpoint}.${this.tenantId}`;
  }

  /** The AMQP address or Kafka topic, depending on the tenant's messaging type. */
  format(messagingType: MessagingType): string {
    return messagingType === 'kafka' ? this.toKafkaTopic() : this.toAmqpAddress();
  }

  /** Whether `other` designates the same endpoint and tenant. */
  equals(other: DownstreamAddress): boolean {
    return this.endpoint === other.endpoint && this.tenantId === other.tenantId;
  }

  /** The AMQP form, for logs. */
  toString(): string {
    return this.toAmqpAddress();
  }
}

function parseTenant(address: string, tenant: string | undefined): TenantId {
  const result = TenantIdSchema.safeParse(tenant);
  if (!result.success) throw malformed(address, 'invalid tenant ID');
  return result.data;
}
