import { MessagingError } from './messaging.error';

/** Back-off settings of {@link retry}. */
export interface RetryOptions {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly signal?: AbortSignal;
}

/** Whether an error says that trying again may help (a `retryable` flag, as our errors carry). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof MessagingError) return error.retryable;
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    return error.retryable === true;
  }
  return false;
}

/** Full-jitter exponential back-off delay for attempt `n` (0-based). */
export function backoffDelay(n: number, initialDelayMs: number, maxDelayMs: number): number {
  const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** n);
  return Math.floor(Math.random() * cap);
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, runs out of attempts or is
 * aborted. Resolves with its result; rejects with the last error.
 */
export async function retry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
    if (options.signal?.aborted) break;
    try {
      return await operation();
    } catch (error) {
      last = error;
      if (!isRetryable(error) || attempt === options.maxAttempts - 1) throw error;
      await sleep(
        backoffDelay(attempt, options.initialDelayMs, options.maxDelayMs),
        options.signal,
      );
    }
  }
  throw last instanceof Error ? last : new MessagingError('CLOSED', 'retry aborted', false);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
