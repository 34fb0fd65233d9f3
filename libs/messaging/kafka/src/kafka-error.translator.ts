import { MessagingError } from '@tessera/messaging';

/** Maps kafkajs errors to MessagingError; kafkajs marks transient ones `retriable`. */
export function translateKafkaError(error: unknown): MessagingError {
  if (error instanceof MessagingError) return error;
  const e = error as { name?: string; message?: string; retriable?: boolean };
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
