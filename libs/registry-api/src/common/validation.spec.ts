import { z } from 'zod';

import { ClientError } from '../errors';
import { parseOrThrow } from './validation';

describe(parseOrThrow.name, () => {
  const schema = z.strictObject({ name: z.string() });

  it('returns the parsed value', () => {
    expect(parseOrThrow(schema, { name: 'x' }, 'TEST.MALFORMED')).toEqual({ name: 'x' });
  });

  it('throws a 400 ClientError with the code, tenant and every issue', () => {
    let thrown: unknown;
    try {
      parseOrThrow(schema, { name: 1, extra: true }, 'TEST.MALFORMED', 'DEFAULT_TENANT');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClientError);
    const error = thrown as ClientError;
    expect(error.status).toBe(400);
    expect(error.code).toBe('TEST.MALFORMED');
    expect(error.tenantId).toBe('DEFAULT_TENANT');
    expect(error.message).toContain('name');
    expect(error.message).toContain('extra');
  });
});
