import { ClientError, NotFoundError } from '../errors';
import { TenantIdSchema, type TenantId } from '../common/ids';

/** The AMQP endpoints of the southbound registry APIs (Tenant, Device Registration, Credentials). */
export const RegistryEndpoint = {
  TENANT: 'tenant',
  REGISTRATION: 'registration',
  CREDENTIALS: 'credentials',
} as const;

/** `tenant`, `registration` or `credentials`. */
export type RegistryEndpoint = (typeof RegistryEndpoint)[keyof typeof RegistryEndpoint];

const ENDPOINTS: readonly string[] = Object.values(RegistryEndpoint);

function isRegistryEndpoint(value: string): value is RegistryEndpoint {
  return ENDPOINTS.includes(value);
}

/** Thrown for an address that names no registry endpoint: 404, as Hono refuses such links. */
function unknownEndpoint(address: string): NotFoundError {
  return new NotFoundError(
    'ADDRESS.UNKNOWN_ENDPOINT',
    `no registry endpoint at address [${address}]`,
  );
}

/** Thrown for an address with a registry endpoint but the wrong shape: 400. */
function malformed(address: string, reason: string): ClientError {
  return new ClientError(400, 'ADDRESS.MALFORMED', `malformed address [${address}]: ${reason}`);
}

/**
 * The target address of a southbound registry request (Hono's `ResourceIdentifier` for these
 * APIs): `tenant`, `registration/<tenant>` or `credentials/<tenant>`. Build and parse addresses
 * only through this value object; never concatenate them at call sites.
 */
export class RegistryAddress {
  private constructor(
    /** The API the address belongs to. */
    readonly endpoint: RegistryEndpoint,
    /** The tenant scope; `undefined` for the (unscoped) `tenant` endpoint. */
    readonly tenantId: TenantId | undefined,
  ) {}

  /** The address of the Tenant API: `tenant`. */
  static tenant(): RegistryAddress {
    return new RegistryAddress(RegistryEndpoint.TENANT, undefined);
  }

  /**
   * The address of a tenant's Device Registration API: `registration/<tenant>`.
   *
   * @param tenantId a validated tenant ID.
   */
  static registration(tenantId: TenantId): RegistryAddress {
    return new RegistryAddress(RegistryEndpoint.REGISTRATION, tenantId);
  }

  /**
   * The address of a tenant's Credentials API: `credentials/<tenant>`.
   *
   * @param tenantId a validated tenant ID.
   */
  static credentials(tenantId: TenantId): RegistryAddress {
    return new RegistryAddress(RegistryEndpoint.CREDENTIALS, tenantId);
  }

  /**
   * Parses a request address (the target of a client's sender link).
   *
   * @param address e.g. `tenant` or `registration/DEFAULT_TENANT`.
   * @returns the address.
   * @throws NotFoundError (404, `ADDRESS.UNKNOWN_ENDPOINT`) if the first segment is no registry
   *   endpoint; ClientError (400, `ADDRESS.MALFORMED`) if the tenant segment is missing, invalid or
   *   followed by more segments, or if `tenant` has a tenant segment.
   */
  static parse(address: string): RegistryAddress {
    const [endpoint, ...rest] = address.split('/');
    if (endpoint === undefined || !isRegistryEndpoint(endpoint)) throw unknownEndpoint(address);
    if (endpoint === RegistryEndpoint.TENANT) {
      if (rest.length > 0) throw malformed(address, 'the tenant endpoint is not tenant-scoped');
      return RegistryAddress.tenant();
    }
    if (rest.length !== 1) throw malformed(address, `expected ${endpoint}/<tenant>`);
    return new RegistryAddress(endpoint, parseTenantSegment(address, rest[0]));
  }

  /**
   * Parses a request address without throwing.
   *
   * @param address the address to parse.
   * @returns the address, or `undefined` if {@link RegistryAddress.parse} would throw.
   */
  static tryParse(address: string): RegistryAddress | undefined {
    try {
      return RegistryAddress.parse(address);
    } catch {
      return undefined;
    }
  }

  /**
   * The reply address for this request address and a client-chosen reply ID, e.g.
   * `registration/<tenant>/<reply-id>`; the client's receiver link uses it as source and the
   * request's `reply-to`.
   *
   * @param replyId a non-empty identifier chosen by the client.
   * @throws ClientError (400, `ADDRESS.MALFORMED`) if `replyId` is empty.
   */
  replyTo(replyId: string): RegistryReplyAddress {
    return RegistryReplyAddress.of(this, replyId);
  }

  /** Whether `other` is the same address. */
  equals(other: RegistryAddress): boolean {
    return this.toString() === other.toString();
  }

  /** The address as it appears on the wire. */
  toString(): string {
    return this.tenantId === undefined ? this.endpoint : `${this.endpoint}/${this.tenantId}`;
  }
}

function parseTenantSegment(address: string, segment: string | undefined): TenantId {
  const tenantId = TenantIdSchema.safeParse(segment);
  if (!tenantId.success) throw malformed(address, 'invalid tenant ID');
  return tenantId.data;
}

/**
 * The reply address of a registry request: `tenant/<reply-id>`, `registration/<tenant>/<reply-id>`
 * or `credentials/<tenant>/<reply-id>`. The reply ID is opaque and may itself contain `/`.
 */
export class RegistryReplyAddress {
  private constructor(
    /** The request address the reply belongs to. */
    readonly requestAddress: RegistryAddress,
    /** The client-chosen reply identifier. */
    readonly replyId: string,
  ) {}

  /**
   * Combines a request address and a reply ID.
   *
   * @throws ClientError (400, `ADDRESS.MALFORMED`) if `replyId` is empty.
   */
  static of(requestAddress: RegistryAddress, replyId: string): RegistryReplyAddress {
    if (replyId === '') throw malformed(`${requestAddress.toString()}/`, 'empty reply ID');
    return new RegistryReplyAddress(requestAddress, replyId);
  }

  /**
   * Parses a reply address (the source of a client's receiver link, or a request's `reply-to`).
   *
   * @throws NotFoundError (404) for an unknown endpoint; ClientError (400) for a missing or
   *   invalid tenant or an empty reply ID.
   */
  static parse(address: string): RegistryReplyAddress {
    const [endpoint, ...rest] = address.split('/');
    if (endpoint === undefined || !isRegistryEndpoint(endpoint)) throw unknownEndpoint(address);
    if (endpoint === RegistryEndpoint.TENANT) {
      return RegistryReplyAddress.of(RegistryAddress.tenant(), rest.join('/'));
    }
    const [tenant, ...reply] = rest;
    if (reply.length === 0) throw malformed(address, `expected ${endpoint}/<tenant>/<reply-id>`);
    const requestAddress = RegistryAddress.parse(`${endpoint}/${tenant ?? ''}`);
    return RegistryReplyAddress.of(requestAddress, reply.join('/'));
  }

  /** Whether `other` is the same address. */
  equals(other: RegistryReplyAddress): boolean {
    return this.toString() === other.toString();
  }

  /** The address as it appears on the wire. */
  toString(): string {
    return `${this.requestAddress.toString()}/${this.replyId}`;
  }
}
