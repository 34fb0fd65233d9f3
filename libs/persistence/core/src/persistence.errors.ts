import { NotFoundError, ResourceConflictError, ServerError } from '@tessera/registry-api';

/** The errors every store raises, so the service layer needs no driver knowledge. */
export const PersistenceErrors = {
  notFound: (kind: string, id: string): NotFoundError =>
    new NotFoundError(`${kind.toUpperCase()}.NOT_FOUND`, `${kind} ${id} not found`),
  duplicate: (kind: string, what: string): ResourceConflictError =>
    new ResourceConflictError(`${kind.toUpperCase()}.CONFLICT`, `${kind} ${what} already exists`),
  versionMismatch: (kind: string, id: string): ResourceConflictError =>
    new ResourceConflictError(
      `${kind.toUpperCase()}.VERSION_MISMATCH`,
      `${kind} ${id} has changed (resource version mismatch)`,
      {
        status: 412,
      },
    ),
  unavailable: (store: string, cause: unknown): ServerError =>
    new ServerError(503, 'STORE.UNAVAILABLE', `${store} is not available`, {
      retryable: true,
      cause,
    }),
};
