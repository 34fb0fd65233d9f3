import { counter } from '@tessera/telemetry';

const attempts = counter(
  'tessera.provisioning.attempts',
  'Auto-provisioning attempts by path, outcome and reason',
);

/**
 * Counts one auto-provisioning attempt (`tessera.provisioning.attempts`), Hono lacks this.
 * @param path `certificate` or `gateway`.
 * @param outcome `provisioned`, `existing`, `refused` or `failed`.
 * @param reason what was provisioned, or why not (see {@link provisioningFailureReason}).
 */
export function countProvisioning(path: string, outcome: string, reason: string): void {
  attempts.add(1, { path, outcome, reason });
}

/** The failure reason of a provisioning error, by its status. */
export function provisioningFailureReason(error: unknown): string {
  const status = (error as { status?: unknown }).status;
  if (status === 400) return 'invalid-id';
  if (status === 403) return 'limit-reached';
  if (status === 404) return 'unknown-tenant';
  if (status === 409) return 'conflict';
  return 'unavailable';
}
