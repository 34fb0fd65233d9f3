import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';

import {
  errorReply,
  jsonBody,
  jsonReply,
  type Message,
  type ReceivedMessage,
} from '@tessera/messaging';
import { AMQP_ENDPOINT, type AmqpEndpoint } from '@tessera/messaging-nest';
import {
  formatCacheDirective,
  RegistryAddress,
  RegistryEndpoint,
  RequestSubject,
} from '@tessera/registry-api';
import { answering, tracedHandler } from '@tessera/registry-kit';

import { CredentialsLookupService } from './credentials-lookup.service';

/**
 * Hono's Credentials API on AMQP address `credentials/<tenant>`: `get` with a JSON body of `type`,
 * `auth-id` and the client context.
 */
@Injectable()
export class CredentialsAmqpHandler implements OnModuleInit {
  constructor(
    private readonly service: CredentialsLookupService,
    @Optional() @Inject(AMQP_ENDPOINT) private readonly endpoint?: AmqpEndpoint,
  ) {}

  onModuleInit(): void {
    this.endpoint?.register(
      RegistryEndpoint.CREDENTIALS,
      tracedHandler('get Credentials', (request) => this.handle(request)),
    );
  }

  async handle(request: ReceivedMessage): Promise<Message> {
    const tenantId = RegistryAddress.tryParse(request.source)?.tenantId;
    if (tenantId === undefined) return errorReply(400, 'address must be credentials/<tenant>');
    const echo = { tenant_id: tenantId };
    if (request.subject !== RequestSubject.GET)
      return errorReply(400, `unsupported operation: ${String(request.subject)}`, echo);
    let body: unknown;
    try {
      body = jsonBody(request);
    } catch {
      return errorReply(400, 'request body is not valid JSON', echo);
    }
    return answering(echo, async () => {
      const found = await this.service.get(tenantId, body);
      return jsonReply(found.status, found.credentials, {
        ...echo,
        device_id: found.credentials['device-id'],
        cache_control: formatCacheDirective(found.cacheDirective),
      });
    });
  }
}
