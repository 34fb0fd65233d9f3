import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';

import {
  errorReply,
  jsonBody,
  jsonReply,
  type Message,
  type ReceivedMessage,
} from '@tessera/messaging';
import { AMQP_ENDPOINT, type AmqpEndpoint } from '@tessera/messaging-nest';
import { answering, tracedHandler } from '@tessera/registry-kit';
import { RequestSubject, TenantGetRequestSchema, toTenantObject } from '@tessera/registry-api';

import { TenantManagementService } from './tenant-management.service';

/** Hono's default max-age for tenant answers (`hono.tenant.svc.cacheMaxAge`, 180 s). */
const CACHE_CONTROL = 'max-age=180';

const reply = (status: number, message: string, tenantId?: string): Message =>
  errorReply(status, message, tenantId === undefined ? {} : { tenant_id: tenantId });

/**
 * Hono's Tenant API on AMQP address `tenant`: `get` by `tenant-id` (also matching an alias) or by a
 * trusted CA's `subject-dn`, answered with the adapter-facing tenant object.
 */
@Injectable()
export class TenantAmqpHandler implements OnModuleInit {
  constructor(
    private readonly service: TenantManagementService,
    @Optional() @Inject(AMQP_ENDPOINT) private readonly endpoint?: AmqpEndpoint,
  ) {}

  onModuleInit(): void {
    this.endpoint?.register(
      'tenant',
      tracedHandler('get Tenant', (request) => this.handle(request)),
    );
  }

  async handle(request: ReceivedMessage): Promise<Message> {
    if (request.subject !== RequestSubject.GET)
      return reply(400, `unsupported operation: ${String(request.subject)}`);
    let body: unknown;
    try {
      body = jsonBody(request) ?? {};
    } catch {
      return reply(400, 'request body is not valid JSON');
    }
    // Hono still accepts the deprecated tenant_id application property.
    const legacy = request.properties?.['tenant_id'];
    const parsed = TenantGetRequestSchema.safeParse(
      typeof body === 'object' && body !== null && legacy !== undefined
        ? { 'tenant-id': String(legacy), ...body }
        : body,
    );
    if (!parsed.success) return reply(400, 'request must name a valid tenant-id or subject-dn');
    const tenantId = parsed.data['tenant-id'];
    return answering(tenantId === undefined ? {} : { tenant_id: tenantId }, async () => {
      const found = await this.service.lookup(
        tenantId === undefined ? { subjectDn: parsed.data['subject-dn'] ?? '' } : { tenantId },
      );
      if (!found) return reply(404, 'no such tenant', tenantId);
      return jsonReply(200, toTenantObject(found.id, found.tenant), {
        tenant_id: found.id,
        cache_control: CACHE_CONTROL,
      });
    });
  }
}
