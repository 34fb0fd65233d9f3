import type { Request } from 'express';

import { ClientError } from '@tessera/registry-api';

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The JSON body of a management request. As in Hono, a body must come as `application/json`
 * (anything else is a 400), and an empty body is allowed where the API allows one (creating a
 * tenant or a device), meaning `{}`.
 * @throws ClientError 400 for a missing required body or a wrong content type.
 */
export function jsonBody(req: Request, options: { required: boolean }): unknown {
  if (!hasBody(req)) {
    if (options.required)
      throw new ClientError(400, 'REQUEST.MISSING_BODY', 'request body required');
    return undefined;
  }
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ClientError(400, 'REQUEST.CONTENT_TYPE', 'content type must be application/json');
  }
  return req.body as unknown;
}
