import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';

import {
  errorReply,
  jsonBody,
  type Message,
  type PropertyValue,
  type ReceivedMessage,
} from '@tessera/messaging';
import { AMQP_ENDPOINT, type AmqpEndpoint } from '@tessera/messaging-nest';
import {
  DELIVER_OPERATION,
  PROVISIONING_NOTIFICATION_ENDPOINT,
  tenantOfProvisioningNotificationAddress,
} from '@tessera/registry-api';
import { answering } from '@tessera/registry-kit';

import { ProvisioningNotificationService } from './provisioning-notification.service';

/** Accepted: the broker acknowledged the notification. The reply has no body. */
const ACCEPTED = 202;

/**
 * Tessera's internal `deliver` API on AMQP address `provisioning-notification/<tenant>`: the
 * registry service that auto-provisioned a device asks for its notification; the reply (202, with
 * `tenant_id` and `device_id` echoed) comes only after the broker acknowledged the event.
 */
@Injectable()
export class ProvisioningNotificationAmqpHandler implements OnModuleInit {
  constructor(
    private readonly service: ProvisioningNotificationService,
    @Optional() @Inject(AMQP_ENDPOINT) private readonly endpoint?: AmqpEndpoint,
  ) {}

  onModuleInit(): void {
    this.endpoint?.register(PROVISIONING_NOTIFICATION_ENDPOINT, (request) => this.handle(request));
  }

  async handle(request: ReceivedMessage): Promise<Message> {
    const tenantId = tenantOfProvisioningNotificationAddress(request.source);
    if (tenantId === undefined)
      return errorReply(400, `address must be ${PROVISIONING_NOTIFICATION_ENDPOINT}/<tenant>`);
    const echo: Record<string, PropertyValue> = { tenant_id: tenantId };
    if (request.subject !== DELIVER_OPERATION)
      return errorReply(400, `unsupported operation: ${String(request.subject)}`, echo);
    let body: unknown;
    try {
      body = jsonBody(request);
    } catch {
      return errorReply(400, 'request body is not valid JSON', echo);
    }
    const deviceId =
      typeof body === 'object' && body !== null && 'device-id' in body
        ? body['device-id']
        : undefined;
    if (typeof deviceId === 'string') echo['device_id'] = deviceId;
    return answering(echo, async () => {
      await this.service.deliver(tenantId, body);
      return { properties: { ...echo, status: ACCEPTED } };
    });
  }
}
