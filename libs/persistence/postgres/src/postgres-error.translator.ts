import { PersistenceErrors } from '@tessera/persistence';
import { ServerError, ServiceInvocationError } from '@tessera/registry-api';

/** Maps pg/TypeORM errors: 23505 → 409, 40001/40P01 → retryable 503, connection failures → 503. */
export function translatePostgresError(error: unknown, kind: string): Error {
  if (error instanceof ServiceInvocationError) return error;
  const e = error as {
    code?: string;
    driverError?: { code?: string; detail?: string };
    message?: string;
  };
  const code = e.driverError?.code ?? e.code;
  if (code === '23505') {
    const detail = e.driverError?.detail ?? '';
    const what = /Key \(([^)]+)\)=\(([^)]*)\)/.exec(detail);
    return PersistenceErrors.duplicate(kind, what ? `with ${what[1] ?? ''} ${what[2] ?? ''}` : '');
  }
  if (code === '40001' || code === '40P01') {
    return new ServerError(503, 'STORE.CONTENTION', 'concurrent update, try again', {
      retryable: true,
      cause: error,
    });
  }
  // Class 08 is connection trouble, except 08P01 (protocol violation): a statement the server
  // refused (e.g. unused parameters) is a bug to report as one, not an outage to retry.
  if (
    code === 'ECONNREFUSED' ||
    code === '57P01' ||
    (code?.startsWith('08') === true && code !== '08P01')
  ) {
    return PersistenceErrors.unavailable('PostgreSQL', error);
  }
  return error instanceof Error ? error : new Error(String(error));
}
