import { errorReply, type Message, type PropertyValue } from '@tessera/messaging';
import { ServiceInvocationError } from '@tessera/registry-api';

/**
 * Runs a registry API operation and maps its typed failures to Hono-style error replies (the
 * `status` of the ServiceInvocationError, its message as text, `properties` echoed). Anything
 * else propagates: the AMQP endpoint answers it with 500 without leaking its message.
 */
export async function answering(
  properties: Readonly<Record<string, PropertyValue>>,
  operation: () => Promise<Message>,
): Promise<Message> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ServiceInvocationError)
      return errorReply(error.status, error.message, properties);
    throw error;
  }
}
