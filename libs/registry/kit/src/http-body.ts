import type { Request } from 'express';

import { ClientError, unstorableJsonReason } from '@tessera/registry-api';

function hasBody(req: Request): boolean {
  // Set by the JSON body parser (service-nest): an empty chunked body is no body.
  const raw = (req as Request & { rawBodyLength?: number }).rawBodyLength;
  if (raw !== undefined) return raw > 0;
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The JSON body of a management request. As in Hono, a body must come as `application/json`
 * (anything else is a 400), and an empty body is allowed where the API allows one (creating a
 * tenant or a device), meaning `{}`. A body no store can hold as it is (nested too deep, numbers
 * beyond a double, U+0000 or unpaired surrogates in its text, a `__proto__` member) is refused
 * here, before anything is written (`unstorableJsonReason`).
 * @throws ClientError 400 for a missing required body, a wrong content type or an unstorable body.
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
  const body = req.body as unknown;
  const problem = unstorableJsonReason(body);
  if (problem !== undefined) {
    throw new ClientError(
      400,
      'REQUEST.MALFORMED_BODY',
      `request body cannot be stored: ${problem}`,
    );
  }
  return body;
}
