import { PersistenceErrors } from '@tessera/persistence';
import { ServiceInvocationError } from '@tessera/registry-api';

/** Maps driver errors: E11000 → 409; network and selection errors → retryable 503. */
export function translateMongoError(error: unknown, kind: string): Error {
  if (error instanceof ServiceInvocationError) return error;
  const e = error as {
    code?: number;
    name?: string;
    keyValue?: Record<string, unknown>;
    message?: string;
  };
  if (e.code === 11000) {
    const key = e.keyValue ? Object.keys(e.keyValue)[0] : undefined;
    const what = key === 'aliasKey' ? 'alias' : key === '_id' ? 'id' : (key ?? 'key');
    return PersistenceErrors.duplicate(kind, `with this ${what}`);
  }
  if (
    e.name === 'MongoServerSelectionError' ||
    e.name === 'MongoNetworkError' ||
    e.name === 'MongoNotConnectedError'
  ) {
    return PersistenceErrors.unavailable('MongoDB', error);
  }
  return error instanceof Error ? error : new Error(String(error));
}
