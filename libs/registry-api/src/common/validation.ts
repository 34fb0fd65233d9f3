import { z } from 'zod';

import { ClientError } from '../errors';

/**
 * Parses a wire value with a schema and turns a validation failure into a 400 {@link ClientError}.
 *
 * Use it at every edge (HTTP body, AMQP body, Kafka value) so that malformed input always
 * becomes the same status-coded error.
 *
 * @param schema the zod schema of the expected value.
 * @param value the decoded (JSON) value to check.
 * @param code the namespaced error code to use, e.g. `TENANT.MALFORMED`.
 * @param tenantId the tenant the request concerns, where known.
 * @returns the parsed (and, where the schema transforms, normalised) value.
 * @throws ClientError with status 400 listing every issue when `value` does not match.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: string,
  tenantId?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ClientError(400, code, z.prettifyError(result.error), {
    ...(tenantId === undefined ? {} : { tenantId }),
    cause: result.error,
  });
}
