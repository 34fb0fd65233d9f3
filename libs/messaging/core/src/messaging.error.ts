/**
 * A failure of the messaging layer itself (not of the remote service): no connection, no credit,
 * a rejected or released delivery, a timeout. `retryable` tells whether trying again may succeed.
 */
export class MessagingError extends Error {
  /**
   * @param code a stable code: `UNAVAILABLE`, `TIMEOUT`, `REJECTED`, `RELEASED`, `CLOSED`, `INVALID`.
   * @param retryable whether the same operation may succeed later.
   */
  constructor(
    readonly code: 'UNAVAILABLE' | 'TIMEOUT' | 'REJECTED' | 'RELEASED' | 'CLOSED' | 'INVALID',
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MessagingError';
  }
}
