import { jsonBody, type RequestResponseClient, stringProperty } from '@tessera/messaging';
import {
  DELIVER_OPERATION,
  type DeliverProvisioningNotification,
  errorFromStatus,
  provisioningNotificationAddress,
  ServerError,
} from '@tessera/registry-api';

/**
 * Asks for a Device Provisioning Notification to be delivered (the provisioning-notification
 * service's `deliver` operation). Resolves only once the broker acknowledged the event.
 *
 * Implemented over AMQP 1.0 by {@link RequestResponseProvisioningNotificationClient} (distributed
 * services) and in-process by the provisioning-notification module itself (embedded mode).
 */
export abstract class ProvisioningNotificationClient {
  /**
   * @throws ServerError 503 (retryable) if the notification could not be delivered now; a
   *   ClientError for a request that can never succeed (unknown tenant: 404).
   */
  abstract deliver(tenantId: string, request: DeliverProvisioningNotification): Promise<void>;
}

/** The delivery API over a request/response transport (AMQP 1.0 in Hono's conventions). */
export class RequestResponseProvisioningNotificationClient extends ProvisioningNotificationClient {
  constructor(
    private readonly transport: RequestResponseClient,
    private readonly timeoutMs = 10_000,
  ) {
    super();
  }

  async deliver(tenantId: string, request: DeliverProvisioningNotification): Promise<void> {
    let status: number;
    let detail: string | undefined;
    try {
      const reply = await this.transport.request(
        provisioningNotificationAddress(tenantId),
        {
          subject: DELIVER_OPERATION,
          contentType: 'application/json',
          body: Buffer.from(JSON.stringify(request), 'utf8'),
        },
        { timeoutMs: this.timeoutMs },
      );
      status = Number(stringProperty(reply, 'status'));
      if (status >= 400) {
        const body = reply.body?.toString('utf8');
        detail = body === undefined || body === '' ? undefined : body;
        // A JSON error body carries its message; plain text is the message.
        if (reply.contentType === 'application/json') {
          const parsed = jsonBody(reply) as { error?: unknown } | undefined;
          if (typeof parsed?.error === 'string') detail = parsed.error;
        }
      }
    } catch (cause) {
      throw new ServerError(
        503,
        'NOTIFICATION.UNAVAILABLE',
        'provisioning-notification service unreachable',
        {
          retryable: true,
          cause,
        },
      );
    }
    if (status === 202 || status === 200) return;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new ServerError(
        500,
        'NOTIFICATION.MALFORMED_REPLY',
        `unexpected reply status ${String(status)}`,
      );
    }
    throw errorFromStatus(status, detail);
  }
}
