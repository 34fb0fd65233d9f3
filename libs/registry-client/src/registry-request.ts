import { z } from 'zod';

import {
  jsonBody,
  type Message,
  MessagingError,
  type RequestResponseClient,
  stringProperty,
} from '@tessera/messaging';
import {
  ApplicationProperty,
  type CacheDirective,
  ClientError,
  errorFromStatus,
  MAX_ID_LENGTH,
  parseCacheDirective,
  type RegistryAddress,
  ServerError,
  ServiceInvocationError,
  TENANT_ID_PATTERN,
  type TenantId,
  TenantIdSchema,
} from '@tessera/registry-api';

/** The `code`s of the errors this lib raises itself (not mapped from a reply status). */
export const RegistryClientErrorCode = {
  /** 400: the request was refused locally (invalid tenant ID, reserved client-context member). */
  INVALID_REQUEST: 'REGISTRY_CLIENT.INVALID_REQUEST',
  /** 503: no reply (MessagingError such as TIMEOUT or UNAVAILABLE); `retryable` as the cause's. */
  UNAVAILABLE: 'REGISTRY_CLIENT.UNAVAILABLE',
  /** 500, not retryable: a reply without a valid `status`, or a success reply with a bad body. */
  MALFORMED_REPLY: 'REGISTRY_CLIENT.MALFORMED_REPLY',
  /** 500, not retryable: the transport failed with something other than a MessagingError. */
  REQUEST_FAILED: 'REGISTRY_CLIENT.REQUEST_FAILED',
} as const;

/** Longest error detail taken over from a reply body; the rest is cut off. */
const MAX_DETAIL_LENGTH = 500;

/** A successful reply, decoded. */
export interface RegistryReply<T> {
  readonly status: number;
  readonly value: T;
  /** `undefined` when the reply has no (understood) `cache_control`. */
  readonly cacheDirective: CacheDirective | undefined;
}

/** Validates a tenant ID before it goes into an address. */
export function requireTenantId(tenantId: string): TenantId {
  const checked = checkTenantId(tenantId);
  if (checked instanceof ClientError) throw checked;
  return checked;
}

/** The tenant ID, or the 400 to answer an invalid one with (for callers that must not throw). */
export function checkTenantId(tenantId: string): TenantId | ClientError {
  // Every registry call checks it: the pattern first, the schema only for the error.
  if (tenantId.length <= MAX_ID_LENGTH && TENANT_ID_PATTERN.test(tenantId)) {
    return tenantId as TenantId;
  }
  const parsed = TenantIdSchema.safeParse(tenantId);
  if (parsed.success) return parsed.data;
  return new ClientError(
    400,
    RegistryClientErrorCode.INVALID_REQUEST,
    `invalid tenant ID [${tenantId}]`,
  );
}

/**
 * Sends a registry request and decodes the reply: a status in `successStatuses` yields the body
 * parsed with `schema`; any other status is thrown as `errorFromStatus(status, <reply text>)`.
 */
export async function invokeRegistry<S extends z.ZodType>(
  requestResponse: RequestResponseClient,
  address: RegistryAddress,
  request: Message,
  schema: S,
  options: { readonly timeoutMs: number | undefined; readonly successStatuses: readonly number[] },
): Promise<RegistryReply<z.output<S>>> {
  let reply: Message;
  try {
    reply = await requestResponse.request(
      address.toString(),
      request,
      options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
    );
  } catch (error) {
    throw transportError(address, error);
  }
  const status = statusOf(reply);
  if (status === undefined) throw malformed(address, 'no valid status');
  if (!options.successStatuses.includes(status)) throw errorFromStatus(status, detailOf(reply));

  let body: unknown;
  try {
    body = jsonBody(reply);
  } catch (error) {
    throw malformed(address, 'body is not JSON', error);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw malformed(address, z.prettifyError(parsed.error), parsed.error);
  return {
    status,
    value: parsed.data,
    cacheDirective: parseCacheDirective(stringProperty(reply, ApplicationProperty.CACHE_CONTROL)),
  };
}

function transportError(address: RegistryAddress, error: unknown): ServiceInvocationError {
  if (error instanceof ServiceInvocationError) return error;
  if (error instanceof MessagingError) {
    return new ServerError(
      503,
      RegistryClientErrorCode.UNAVAILABLE,
      `no reply from [${address.toString()}]: ${error.message}`,
      { cause: error, retryable: error.retryable, ...tenantOf(address) },
    );
  }
  return new ServerError(
    500,
    RegistryClientErrorCode.REQUEST_FAILED,
    `request to [${address.toString()}] failed`,
    { cause: error, retryable: false, ...tenantOf(address) },
  );
}

// Hono answers a malformed payload with 500 too (ProtonBasedTenantClient); retrying the same
// request would get the same reply, hence not retryable.
function malformed(address: RegistryAddress, reason: string, cause?: unknown): ServerError {
  return new ServerError(
    500,
    RegistryClientErrorCode.MALFORMED_REPLY,
    `malformed reply from [${address.toString()}]: ${reason}`,
    { cause, retryable: false, ...tenantOf(address) },
  );
}

function tenantOf(address: RegistryAddress): { tenantId?: string } {
  return address.tenantId === undefined ? {} : { tenantId: address.tenantId };
}

// AMQP delivers `status` as a number, Kafka-style transports as a string.
function statusOf(reply: Message): number | undefined {
  const raw = reply.properties?.[ApplicationProperty.STATUS];
  const status = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

function detailOf(reply: Message): string | undefined {
  const text = reply.body?.toString('utf8').trim();
  if (text === undefined || text === '') return undefined;
  return text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH)}…` : text;
}
