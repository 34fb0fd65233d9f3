import type { IncomingMessage } from 'node:http';

import { badRequest } from '@tessera/adapter-base';
import type { DownstreamEndpoint, Qos } from '@tessera/registry-api';

/** What a device request asks for, from its method and path (Hono's HTTP adapter URIs). */
export type Route =
  | { readonly kind: 'upload'; readonly endpoint: DownstreamEndpoint; readonly target?: Target }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'method-not-allowed'; readonly allow: string };

/** The tenant and device named in a `PUT /{endpoint}/{tenant}/{device}` path; tenant may be empty. */
export interface Target {
  readonly tenantId: string;
  readonly deviceId: string;
}

const ENDPOINTS: Readonly<Record<string, DownstreamEndpoint>> = {
  telemetry: 'telemetry',
  event: 'event',
};

/**
 * Routes a request: `POST /telemetry`, `POST /event` for an authenticated device;
 * `PUT /{telemetry|event}/{tenant}/{device}` for a gateway or an unauthenticated device, with
 * `PUT /{telemetry|event}//{device}` for a gateway of the authenticated tenant.
 */
export function route(method: string, pathname: string): Route {
  const segments = pathname.split('/').slice(1);
  const endpoint = ENDPOINTS[segments[0] ?? ''];
  if (endpoint === undefined) return { kind: 'not-found' };
  if (segments.length === 1 || (segments.length === 2 && segments[1] === '')) {
    return method === 'POST'
      ? { kind: 'upload', endpoint }
      : { kind: 'method-not-allowed', allow: 'POST' };
  }
  if (segments.length === 3) {
    let tenantId: string;
    let deviceId: string;
    try {
      tenantId = decodeURIComponent(segments[1] ?? '');
      deviceId = decodeURIComponent(segments[2] ?? '');
    } catch {
      return { kind: 'not-found' };
    }
    if (deviceId === '') return { kind: 'not-found' };
    return method === 'PUT'
      ? { kind: 'upload', endpoint, target: { tenantId, deviceId } }
      : { kind: 'method-not-allowed', allow: 'PUT' };
  }
  return { kind: 'not-found' };
}

/** `user` and `password` of a Basic `Authorization` header; `undefined` without one. */
export function basicCredentials(
  header: string | undefined,
): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function integerParam(
  name: string,
  request: IncomingMessage,
  query: URLSearchParams | undefined,
): number | undefined {
  const raw = headerValue(request, name) ?? query?.get(name) ?? undefined;
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`${name} must be an integer`);
  return Number(raw);
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The message options of an upload request: Hono's headers (or query parameters). */
export interface UploadOptions {
  readonly qos: Qos;
  readonly contentType: string | undefined;
  readonly ttdSeconds: number | undefined;
  readonly ttlSeconds: number | undefined;
}

/**
 * Reads `QoS-Level` (telemetry: 0 or 1, default 0), `Content-Type`, `hono-ttd` and `hono-ttl`
 * (headers, or query parameters as Hono also accepts).
 * @throws ClientError 400 for a malformed value.
 */
export function uploadOptions(
  request: IncomingMessage,
  query: URLSearchParams | undefined,
  endpoint: DownstreamEndpoint,
): UploadOptions {
  const rawQos = headerValue(request, 'qos-level');
  let qos: Qos = 0;
  if (rawQos !== undefined && endpoint === 'telemetry') {
    if (rawQos.trim() === '1') qos = 1;
    else if (rawQos.trim() !== '0') throw badRequest('QoS-Level must be 0 or 1');
  }
  const contentType = headerValue(request, 'content-type')?.trim();
  return {
    qos: endpoint === 'event' ? 1 : qos,
    contentType: contentType === '' ? undefined : contentType,
    ttdSeconds: integerParam('hono-ttd', request, query),
    ttlSeconds: endpoint === 'event' ? integerParam('hono-ttl', request, query) : undefined,
  };
}
