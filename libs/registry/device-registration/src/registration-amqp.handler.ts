import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';

import {
  errorReply,
  jsonReply,
  type Message,
  type ReceivedMessage,
  stringProperty,
} from '@tessera/messaging';
import { AMQP_ENDPOINT, type AmqpEndpoint } from '@tessera/messaging-nest';
import {
  ApplicationProperty,
  DEFAULT_REGISTRATION_MAX_AGE_SECONDS,
  formatCacheDirective,
  maxAge,
  RegistryAddress,
  RegistryEndpoint,
  RequestSubject,
} from '@tessera/registry-api';
import { answering, tracedHandler } from '@tessera/registry-kit';

import { RegistrationAssertionService } from './registration-assertion.service';

const CACHE_CONTROL = formatCacheDirective(maxAge(DEFAULT_REGISTRATION_MAX_AGE_SECONDS));

/**
 * Hono's Device Registration API on AMQP address `registration/<tenant>`: `assert` with the
 * `device_id` (and optional `gateway_id`) application properties; the body is ignored.
 */
@Injectable()
export class RegistrationAmqpHandler implements OnModuleInit {
  constructor(
    private readonly service: RegistrationAssertionService,
    @Optional() @Inject(AMQP_ENDPOINT) private readonly endpoint?: AmqpEndpoint,
  ) {}

  onModuleInit(): void {
    this.endpoint?.register(
      RegistryEndpoint.REGISTRATION,
      tracedHandler('assert Device Registration', (request) => this.handle(request)),
    );
  }

  async handle(request: ReceivedMessage): Promise<Message> {
    const address = RegistryAddress.tryParse(request.source);
    const tenantId = address?.tenantId;
    const deviceId = stringProperty(request, ApplicationProperty.DEVICE_ID);
    const gatewayId = stringProperty(request, ApplicationProperty.GATEWAY_ID);
    const echo = {
      ...(tenantId === undefined ? {} : { tenant_id: tenantId }),
      ...(deviceId === undefined ? {} : { device_id: deviceId }),
    };
    if (tenantId === undefined) return errorReply(400, 'address must be registration/<tenant>');
    if (request.subject !== RequestSubject.ASSERT)
      return errorReply(400, `unsupported operation: ${String(request.subject)}`, echo);
    if (deviceId === undefined) return errorReply(400, 'device_id is required', echo);
    return answering(echo, async () =>
      jsonReply(200, await this.service.assert(tenantId, deviceId, gatewayId), {
        ...echo,
        cache_control: CACHE_CONTROL,
      }),
    );
  }
}
