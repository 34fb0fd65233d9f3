import { MessagingError } from '@tessera/messaging';

/**
 * kafkajs wraps a retriable error in KafkaJSNonRetriableError once its own retries are spent
 * (ECONNREFUSED while the broker is down); the cause says whether trying later may help.
 */
function unwrapKafkaError(error: unknown): unknown {
  let e = error;
  while (
    e instanceof Error &&
    e.name === 'KafkaJSNonRetriableError' &&
    e.cause instanceof Error &&
    (e.cause as { retriable?: boolean }).retriable === true
  ) {
    e = e.cause;
  }
  return e;
}

/** Maps kafkajs errors to MessagingError; kafkajs marks transient ones `retriable`. */
export function translateKafkaError(error: unknown): MessagingError {
  if (error instanceof MessagingError) return error;
  const e = unwrapKafkaError(error) as { name?: string; message?: string; retriable?: boolean };
  const name = e.name ?? 'Error';
  const unavailable =
    e.retriable === true ||
    /Connection|Broker|NotLeader|LeaderNotAvailable|Timeout|NumberOfRetriesExceeded/i.test(name);
  return new MessagingError(
    unavailable ? 'UNAVAILABLE' : 'REJECTED',
    `Kafka: ${e.message ?? name}`,
    unavailable,
    { cause: error },
  );
}
