import type { Request, Response } from 'express';

import type { SearchQuery } from '@tessera/persistence';
import {
  ClientError,
  formatEtag,
  parseIfMatch,
  type FilterJson,
  type ResourceVersion,
  type SortJson,
} from '@tessera/registry-api';

/*
 * The HTTP conventions of Hono's management API, shared by the tenant, device and credentials
 * controllers: ETag/If-Match, Location, search queries (JSON bodies: `http-body.ts`).
 */

/**
 * The query string as raw strings (repeated parameters as arrays), as the registry-api search
 * schemas expect it.
 * @throws ClientError 400 for nested (bracket) parameters.
 */
export function rawQuery(request: Request): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
    if (typeof value === 'string') {
      raw[name] = value;
    } else if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) {
      raw[name] = value;
    } else if (value !== undefined) {
      throw new ClientError(400, 'REQUEST.MALFORMED_QUERY', `query parameter ${name} is malformed`);
    }
  }
  return raw;
}

/** The version required by `If-Match`, or undefined for an unconditional write. */
export function expectedVersion(request: Request): ResourceVersion | undefined {
  return parseIfMatch(request.headers['if-match']);
}

/** Sets `ETag` to the resource version, unquoted, as Hono does. */
export function setEtag(response: Response, version: ResourceVersion): void {
  response.setHeader('ETag', formatEtag(version));
}

/** The `Location` of a created resource: a path below its collection, as Hono sends it. */
export function locationOf(collectionPath: string, ...ids: readonly string[]): string {
  return [collectionPath, ...ids.map((id) => encodeURIComponent(id))].join('/');
}

/**
 * Answers a create: `Location` and `ETag` headers and Hono's `{"id": …}` body (the status, 201,
 * comes from the route).
 */
export function createdResponse(
  response: Response,
  location: string,
  created: { readonly id: string; readonly version: ResourceVersion },
): { id: string } {
  response.setHeader('Location', location);
  setEtag(response, created.version);
  return { id: created.id };
}

/**
 * The store query for a parsed search. Hono treats `pageOffset` as a page number: its MongoDB
 * registry skips `pageOffset * pageSize` objects (`MongoDbBasedDao#getSearchResourceQuery`).
 */
export function toSearchQuery(query: {
  readonly pageSize: number;
  readonly pageOffset: number;
  readonly filterJson: readonly FilterJson[];
  readonly sortJson: readonly SortJson[];
}): SearchQuery {
  return {
    filters: query.filterJson.map((f) => ({ field: f.field, op: f.op, value: f.value })),
    sort: query.sortJson.map((s) => ({ field: s.field, direction: s.direction })),
    pageSize: query.pageSize,
    pageOffset: query.pageOffset * query.pageSize,
  };
}
