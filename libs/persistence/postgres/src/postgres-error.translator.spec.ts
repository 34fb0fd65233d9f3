import { ServerError } from '@tessera/registry-api';

import { translatePostgresError } from './postgres-error.translator';

const pgError = (code: string): Error => Object.assign(new Error(`pg ${code}`), { code });

describe(translatePostgresError.name, () => {
  it('reports lost connections as a retryable 503', () => {
    for (const code of ['08006', '08003', '57P01', 'ECONNREFUSED']) {
      expect(translatePostgresError(pgError(code), 'tenant')).toEqual(
        expect.objectContaining({ status: 503, retryable: true }),
      );
    }
  });

  it('keeps a protocol violation (a statement the server refused) an unexpected error', () => {
    const error = pgError('08P01');
    const translated = translatePostgresError(error, 'tenant');
    expect(translated).toBe(error);
    expect(translated).not.toBeInstanceOf(ServerError);
  });
});
