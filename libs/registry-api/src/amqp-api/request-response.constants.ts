import { RegistryEndpoint } from '../addresses/registry-address';

/*
 * Hono's AMQP 1.0 request/response conventions of the southbound registry APIs
 * (RequestResponseApiConstants, MessageHelper, AbstractRequestResponseEndpoint#getAmqpReply).
 */

/** The operation names carried in a request's `subject` property. */
export const RequestSubject = {
  /** Tenant API and Credentials API: look up an object. */
  GET: 'get',
  /** Device Registration API: assert that a device may send/receive data. */
  ASSERT: 'assert',
} as const;

/** `get` or `assert`. */
export type RequestSubject = (typeof RequestSubject)[keyof typeof RequestSubject];

/** The operations each registry endpoint supports; any other subject is a 400. */
export const REGISTRY_OPERATIONS: Readonly<Record<RegistryEndpoint, readonly RequestSubject[]>> = {
  [RegistryEndpoint.TENANT]: [RequestSubject.GET],
  [RegistryEndpoint.REGISTRATION]: [RequestSubject.ASSERT],
  [RegistryEndpoint.CREDENTIALS]: [RequestSubject.GET],
};

/**
 * Names of AMQP application properties (and of Kafka headers of downstream messages). Note the
 * underscores, unlike the kebab-case JSON members.
 */
export const ApplicationProperty = {
  /** The tenant: echoed in registry replies; set on downstream messages. */
  TENANT_ID: 'tenant_id',
  /** The device: mandatory in `assert` requests; echoed in replies. */
  DEVICE_ID: 'device_id',
  /** The gateway acting for the device: optional in `assert` requests. */
  GATEWAY_ID: 'gateway_id',
  /** The HTTP-style status code of a reply; must be encoded as an AMQP `int`. */
  STATUS: 'status',
  /** The RFC 2616 cache directive of a reply, e.g. `max-age=180` or `no-cache`. */
  CACHE_CONTROL: 'cache_control',
  /** The protocol adapter type that produced a downstream message, e.g. `hono-mqtt`. */
  ORIG_ADAPTER: 'orig_adapter',
  /** The address the device published to, e.g. a topic or URI. */
  ORIG_ADDRESS: 'orig_address',
  /** The QoS level of a downstream message (`0` or `1`). */
  QOS: 'qos',
  /** The registration status of a provisioning notification (`NEW`). */
  REGISTRATION_STATUS: 'hono_registration_status',
  /** The time (seconds) until the device disconnects, on empty notifications. */
  TTD: 'ttd',
} as const;

/** One of the application property names in {@link ApplicationProperty}. */
export type ApplicationProperty = (typeof ApplicationProperty)[keyof typeof ApplicationProperty];

/**
 * Names of AMQP message properties/headers used by the registry APIs and downstream messages
 * (also used as Kafka header names, e.g. `content-type`, `creation-time`, `ttl`).
 */
export const MessageProperty = {
  SUBJECT: 'subject',
  MESSAGE_ID: 'message-id',
  CORRELATION_ID: 'correlation-id',
  REPLY_TO: 'reply-to',
  CONTENT_TYPE: 'content-type',
  CREATION_TIME: 'creation-time',
  TTL: 'ttl',
  DURABLE: 'durable',
} as const;

/** One of the message property names in {@link MessageProperty}. */
export type MessageProperty = (typeof MessageProperty)[keyof typeof MessageProperty];

/** The content type of registry request and reply bodies (a single AMQP Data section). */
export const REGISTRY_CONTENT_TYPE = 'application/json';

/**
 * Status codes that registry replies carry in the `status` application property, per API
 * (Hono's api/{tenant,device-registration,credentials} specs).
 */
export const RegistryStatus = {
  /** The object was found / the device may act. */
  OK: 200,
  /** Credentials API: the device was created by auto-provisioning. */
  CREATED: 201,
  /** Malformed request (missing or invalid ID, body or subject). */
  BAD_REQUEST: 400,
  /** Tenant API: not authorized for the tenant; Registration API: gateway not authorized. */
  FORBIDDEN: 403,
  /** Unknown or disabled tenant, device or credentials (or client-context mismatch). */
  NOT_FOUND: 404,
  /** Credentials API: lookup by `device-id` is not implemented. */
  NOT_IMPLEMENTED: 501,
  /** A dependency (database, messaging) is unavailable; the request may be retried. */
  SERVICE_UNAVAILABLE: 503,
} as const;
