import { type Message, MessageSender, MessagingError } from '@tessera/messaging';
import {
  DEFAULT_MESSAGING_TYPE,
  type DownstreamAddress,
  type MessagingType,
  messagingTypeOf,
  type TenantObject,
} from '@tessera/registry-api';

import { unavailable } from './adapter.errors';

/** Options of one downstream send. */
export interface DownstreamSendOptions {
  /** Wait for the broker's acknowledgement (events, QoS 1 telemetry). */
  readonly awaitAck: boolean;
  /** Give up after this long (ms); the sender's default otherwise. */
  readonly timeoutMs?: number;
}

/**
 * The northbound messaging of an adapter: a sender per configured messaging type, and Hono's rule
 * for choosing one per tenant (`ext.messaging-type`, else the configured default). A tenant asking
 * for a type this adapter has no connection for falls back to the default, as Hono's
 * `MessagingClientProvider` does.
 */
export class DownstreamMessaging {
  private readonly defaultType: MessagingType;

  constructor(
    private readonly senders: Readonly<Partial<Record<MessagingType, MessageSender>>>,
    defaultType?: MessagingType,
  ) {
    const configured = Object.keys(senders) as MessagingType[];
    if (configured.length === 0) throw new RangeError('no downstream messaging configured');
    const wanted = defaultType ?? DEFAULT_MESSAGING_TYPE;
    this.defaultType = configured.includes(wanted) ? wanted : (configured[0] ?? wanted);
  }

  /** The messaging type used for the tenant. */
  typeFor(tenant: TenantObject): MessagingType {
    const requested = messagingTypeOf(tenant.ext);
    return requested !== undefined && this.senders[requested] ? requested : this.defaultType;
  }

  /**
   * Sends to the tenant's telemetry or event destination on its messaging system.
   * @throws ServerError 503 if the broker did not take (or, with `awaitAck`, acknowledge) it.
   */
  send(
    tenant: TenantObject,
    address: DownstreamAddress,
    message: Message,
    options: DownstreamSendOptions,
  ): Promise<void> {
    const type = this.typeFor(tenant);
    const sender = this.senders[type];
    if (sender === undefined) return Promise.reject(unavailable(`no ${type} messaging configured`));
    // A `then` rather than an async wrapper: one promise less per message.
    return sender.send(address.format(type), message, options).then(undefined, (error: unknown) => {
      if (error instanceof MessagingError) {
        throw unavailable(`${type} downstream did not accept the message: ${error.message}`, error);
      }
      throw error;
    });
  }
}
