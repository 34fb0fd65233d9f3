import {
  ADAPTER_CONNECTIONS_EXCEEDED,
  type AuthenticatedDevice,
  badRequest,
  CONNECTION_RATE_EXCEEDED,
  DATA_VOLUME_EXCEEDED,
  TENANT_CONNECTIONS_EXCEEDED,
} from '@tessera/adapter-base';
import type { DownstreamEndpoint, Qos } from '@tessera/registry-api';

/** What a PUBLISH topic asks for (Hono's MQTT topic names, `user-guide/mqtt-adapter.md`). */
export interface PublishAddress {
  readonly endpoint: DownstreamEndpoint;
  /** The tenant named in the topic: `''` for `t//{device}`, `undefined` for the short form. */
  readonly tenantId?: string;
  /** The device named in the topic, `undefined` for the short form. */
  readonly deviceId?: string;
  /** `content-type` of the property bag. */
  readonly contentType?: string;
  /** `hono-ttl` of the property bag (s). */
  readonly ttlSeconds?: number;
}

const ENDPOINTS: Readonly<Record<string, DownstreamEndpoint>> = {
  telemetry: 'telemetry',
  t: 'telemetry',
  event: 'event',
  e: 'event',
};

/**
 * Maps a PUBLISH topic: `telemetry`|`t` or `event`|`e`, alone (the authenticated device) or
 * followed by `/{tenant}/{device}` (tenant may be empty: the gateway's own), optionally ending in
 * a property bag `/?content-type=…&hono-ttl=…`.
 * @throws ClientError 400 for any other topic or a malformed property.
 */
export function parsePublishTopic(topic: string): PublishAddress {
  const bag = topic.indexOf('/?');
  const path = bag < 0 ? topic : topic.slice(0, bag);
  const query = bag < 0 ? undefined : new URLSearchParams(topic.slice(bag + 2));
  const segments = path.split('/');
  const endpoint = ENDPOINTS[segments[0] ?? ''];
  if (endpoint === undefined) throw badRequest(`unsupported topic ${topic}`);
  let target: { tenantId: string; deviceId: string } | undefined;
  if (segments.length === 3 && segments[2] !== '') {
    target = { tenantId: segments[1] ?? '', deviceId: segments[2] ?? '' };
  } else if (segments.length !== 1) {
    throw badRequest(`topic must be ${segments[0] ?? ''}[/{tenant}/{device}]`);
  }
  const contentType = query?.get('content-type')?.trim();
  const ttl = query?.get('hono-ttl') ?? undefined;
  if (ttl !== undefined && !/^\d+$/.test(ttl)) throw badRequest('hono-ttl must be an integer');
  return {
    endpoint,
    ...target,
    ...(contentType !== undefined && contentType !== '' && { contentType }),
    ...(ttl !== undefined && { ttlSeconds: Number(ttl) }),
  };
}

/**
 * Hono's `checkQosAndMapTopic`: telemetry with QoS 0 or 1, events with QoS 1 only.
 * @throws ClientError 400 otherwise.
 */
export function checkQos(endpoint: DownstreamEndpoint, qos: number): Qos {
  if (qos === 1) return 1;
  if (qos === 0 && endpoint === 'telemetry') return 0;
  throw badRequest(`QoS ${String(qos)} is not supported for ${endpoint} messages`);
}

/**
 * The tenant and device a message is for: the authenticated device for the short form, else the
 * ones in the topic (an empty tenant is the authenticated one). Whether the authenticated device
 * may send for them (same tenant, gateway) is the uploader's check.
 * @throws ClientError 400 if an unauthenticated device does not name both tenant and device.
 */
export function resolveTarget(
  address: PublishAddress,
  device: AuthenticatedDevice | undefined,
): { tenantId: string; deviceId: string } {
  if (device === undefined) {
    if (address.tenantId === undefined || address.tenantId === '' || !address.deviceId) {
      throw badRequest('topic of an unauthenticated device must name tenant and device');
    }
    return { tenantId: address.tenantId, deviceId: address.deviceId };
  }
  if (address.deviceId === undefined)
    return { tenantId: device.tenantId, deviceId: device.deviceId };
  return {
    tenantId:
      address.tenantId === '' || address.tenantId === undefined
        ? device.tenantId
        : address.tenantId,
    deviceId: address.deviceId,
  };
}

/**
 * Hono's CONNACK return codes (MQTT 3.1.1) and reason codes (MQTT 5) for a refused CONNECT: the
 * connection limits by their error code (Hono's exception types), anything else by its status.
 */
export function connackCode(
  error: { readonly status: number; readonly code?: string },
  protocolVersion: number,
): number {
  const v5 = protocolVersion === 5;
  switch (error.code) {
    case ADAPTER_CONNECTIONS_EXCEEDED:
      return v5 ? 0x9c : 0x03; // use another server / server unavailable
    case TENANT_CONNECTIONS_EXCEEDED:
    case DATA_VOLUME_EXCEEDED:
      return v5 ? 0x97 : 0x05; // quota exceeded / not authorized
    case CONNECTION_RATE_EXCEEDED:
      return v5 ? 0x9f : 0x03; // connection rate exceeded / server unavailable
  }
  const status = error.status;
  if (status === 401 || status === 404) return v5 ? 0x86 : 0x04;
  if (status === 503) return v5 ? 0x88 : 0x03;
  return v5 ? 0x87 : 0x05;
}

/** The MQTT 5 DISCONNECT reason code for a processing error status. */
export function disconnectReason(status: number): number {
  if (status === 400) return 0x83; // implementation specific error (topic, QoS, property bag)
  if (status === 401 || status === 403 || status === 404) return 0x87; // not authorized
  if (status === 413) return 0x95; // packet too large
  if (status === 429) return 0x97; // quota exceeded
  if (status === 503) return 0x89; // server busy
  return 0x80; // unspecified error
}
