import {
  type Message,
  type MessageSender,
  MessagingError,
  type PropertyValue,
} from '@tessera/messaging';
import {
  ClientError,
  DEFAULT_MESSAGING_TYPE,
  DeliverProvisioningNotificationSchema,
  DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE,
  DEVICE_PROVISIONING_NOTIFICATION_QOS,
  deviceProvisioningNotificationProperties,
  DeviceProvisioningNotificationProperty,
  DownstreamAddress,
  type MessagingType,
  messagingTypeOf,
  ServerError,
  ServiceInvocationError,
  type TenantObject,
  TenantIdSchema,
} from '@tessera/registry-api';
import { TenantClient } from '@tessera/registry-client';
import { ProvisioningNotificationClient } from '@tessera/registry-kit';
import {
  counter,
  injectTraceContext,
  SpanAttributes,
  SpanKind,
  withSpan,
} from '@tessera/telemetry';

/** What the service needs: the tenants, and a sender per northbound messaging system. */
export interface ProvisioningNotificationOptions {
  /** Reads the tenant's defaults, `max-ttl` and `ext.messaging-type`. */
  readonly tenants: TenantClient;
  /** The configured northbound senders (at least one). */
  readonly senders: Readonly<Partial<Record<MessagingType, MessageSender>>>;
  /** For tenants without `ext.messaging-type`: default kafka when configured, else the other one. */
  readonly defaultMessagingType?: MessagingType | undefined;
  /** How long the broker may take to acknowledge (ms); the sender's default otherwise. */
  readonly sendTimeoutMs?: number | undefined;
  /** The clock of `creation-time`; default `Date.now`. */
  readonly now?: () => number;
}

/** The outcome label of the delivery counter. */
type Outcome = 'delivered' | 'invalid' | 'unknown-tenant' | 'unavailable' | 'failed';

const deliveries = counter(
  'tessera.provisioning.notifications.delivered',
  'Device provisioning notification delivery requests, by tenant, messaging type and outcome',
);

/**
 * Puts Device Provisioning Notifications on the tenant's event stream (Hono's
 * `AbstractAutoProvisioningEventSender`, run as a service of its own): Kafka `hono.event.<tenant>`
 * (record key = device id) or AMQP `event/<tenant>` (durable), chosen by the tenant's
 * `ext.messaging-type`. Resolves only once the broker acknowledged the event, so the caller may
 * then flip the device's `auto-provisioning-notification-sent` flag.
 *
 * Unlike Hono (#3596) the device-level `defaults` of the request are applied too.
 */
export class ProvisioningNotificationService extends ProvisioningNotificationClient {
  private readonly defaultType: MessagingType;
  private readonly now: () => number;

  /** @throws RangeError when no sender is configured. */
  constructor(private readonly options: ProvisioningNotificationOptions) {
    super();
    const configured = (Object.keys(options.senders) as MessagingType[]).filter(
      (type) => options.senders[type] !== undefined,
    );
    if (configured.length === 0) throw new RangeError('no northbound messaging configured');
    const wanted = options.defaultMessagingType ?? DEFAULT_MESSAGING_TYPE;
    this.defaultType = configured.includes(wanted) ? wanted : (configured[0] ?? wanted);
    this.now = options.now ?? Date.now;
  }

  /** The messaging type the tenant's notifications go to (Hono's `MessagingClientProvider`). */
  messagingTypeFor(tenant: TenantObject): MessagingType {
    const requested = messagingTypeOf(tenant.ext);
    return requested !== undefined && this.options.senders[requested] !== undefined
      ? requested
      : this.defaultType;
  }

  /**
   * Delivers the notification of one device.
   *
   * @throws ClientError 400 for an invalid tenant id or request body; 404 for an unknown tenant;
   *   ServerError 503 (retryable) if the Tenant API or the broker cannot be reached or did not
   *   acknowledge. A disabled tenant still gets its notification.
   */
  async deliver(tenantId: string, request: unknown): Promise<void> {
    if (!TenantIdSchema.safeParse(tenantId).success) {
      // An invalid id is no label value: it could be anything.
      this.count('(invalid)', undefined, 'invalid');
      throw new ClientError(400, 'NOTIFICATION.INVALID_REQUEST', 'invalid tenant ID');
    }
    const parsed = DeliverProvisioningNotificationSchema.safeParse(request);
    if (!parsed.success) {
      this.count(tenantId, undefined, 'invalid');
      const problems = parsed.error.issues.map((i) => `${i.path.join('/')}: ${i.message}`);
      throw new ClientError(
        400,
        'NOTIFICATION.INVALID_REQUEST',
        `invalid deliver request: ${problems.join('; ')}`,
        { tenantId },
      );
    }
    const body = parsed.data;
    return withSpan(
      'deliver Provisioning Notification',
      {
        [SpanAttributes.TENANT_ID]: tenantId,
        [SpanAttributes.DEVICE_ID]: body['device-id'],
        [SpanAttributes.GATEWAY_ID]: body['gateway-id'],
      },
      async () => {
        const tenant = await this.tenant(tenantId);
        const type = this.messagingTypeFor(tenant);
        const sender = this.options.senders[type];
        // messagingTypeFor only picks configured types.
        if (sender === undefined) throw new RangeError(`no ${type} sender`);
        const realTenant = tenant['tenant-id'];
        const all = deviceProvisioningNotificationProperties({
          tenantId: realTenant,
          deviceId: body['device-id'],
          ...(body['gateway-id'] === undefined ? {} : { gatewayId: body['gateway-id'] }),
          ...(tenant.defaults === undefined ? {} : { tenantDefaults: tenant.defaults }),
          ...(body.defaults === undefined ? {} : { deviceDefaults: body.defaults }),
          ...(tenant['resource-limits']?.['max-ttl'] === undefined
            ? {}
            : { maxTtlSeconds: tenant['resource-limits']['max-ttl'] }),
        });
        const message = toMessage(all, type, body['device-id'], this.now());
        try {
          await sender.send(DownstreamAddress.event(realTenant).format(type), message, {
            awaitAck: true,
            ...(this.options.sendTimeoutMs === undefined
              ? {}
              : { timeoutMs: this.options.sendTimeoutMs }),
          });
        } catch (error) {
          if (error instanceof MessagingError) {
            this.count(realTenant, type, 'unavailable');
            throw new ServerError(
              503,
              'NOTIFICATION.UNAVAILABLE',
              `${type} did not acknowledge the notification: ${error.message}`,
              { tenantId: realTenant, retryable: true, cause: error },
            );
          }
          this.count(realTenant, type, 'failed');
          throw error;
        }
        this.count(realTenant, type, 'delivered');
      },
      { kind: SpanKind.PRODUCER },
    );
  }

  private async tenant(tenantId: string): Promise<TenantObject> {
    try {
      return await this.options.tenants.get(tenantId);
    } catch (error) {
      if (error instanceof ServiceInvocationError && error.status === 404) {
        this.count(tenantId, undefined, 'unknown-tenant');
        throw new ClientError(404, 'TENANT.NOT_FOUND', `no such tenant: ${tenantId}`, {
          tenantId,
          cause: error,
        });
      }
      // Anything else (no answer, refused, malformed) is this service's problem: try again later.
      this.count(tenantId, undefined, 'unavailable');
      throw new ServerError(
        503,
        'NOTIFICATION.TENANT_UNAVAILABLE',
        `cannot read tenant ${tenantId}: ${error instanceof Error ? error.message : String(error)}`,
        { tenantId, retryable: true, cause: error },
      );
    }
  }

  private count(tenantId: string, type: MessagingType | undefined, outcome: Outcome): void {
    deliveries.add(1, {
      tenant_id: tenantId,
      outcome,
      ...(type === undefined ? {} : { messaging_type: type }),
    });
  }
}

/** A wire value: scalars as they are, anything else (a structured default) as JSON (Hono's Kafka rule). */
function scalar(value: unknown): PropertyValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (value === null || value === undefined) return undefined;
  return JSON.stringify(value);
}

/**
 * The notification as a transport-neutral message: `content-type` and `ttl` become the message's
 * own fields (AMQP properties/header, Kafka headers), the rest application properties/headers;
 * Kafka gets `qos` and `creation-time` headers, AMQP the `durable` header. The body is empty.
 */
function toMessage(
  all: Record<string, unknown>,
  type: MessagingType,
  deviceId: string,
  now: number,
): Message {
  const {
    [DeviceProvisioningNotificationProperty.CONTENT_TYPE]: _contentType,
    [DeviceProvisioningNotificationProperty.TTL]: ttl,
    ...rest
  } = all;
  const properties: Record<string, PropertyValue> = {};
  for (const [name, value] of Object.entries(rest)) {
    const wire = scalar(value);
    if (wire !== undefined) properties[name] = wire;
  }
  if (type === 'kafka') {
    properties[DeviceProvisioningNotificationProperty.QOS] = DEVICE_PROVISIONING_NOTIFICATION_QOS;
    properties[DeviceProvisioningNotificationProperty.CREATION_TIME] = now;
  }
  injectTraceContext(properties);
  return {
    key: deviceId,
    contentType: DEVICE_PROVISIONING_NOTIFICATION_CONTENT_TYPE,
    properties,
    durable: true,
    ...(typeof ttl === 'number' ? { ttlMs: ttl } : {}),
  };
}
