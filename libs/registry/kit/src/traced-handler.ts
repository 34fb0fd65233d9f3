import type { Message, ReceivedMessage, RequestHandler } from '@tessera/messaging';
import { extractTraceContext, SpanAttributes, SpanKind, withSpan } from '@tessera/telemetry';

/**
 * A registry API handler in a SERVER span named like Hono's (`get Tenant`, `assert Device
 * Registration`, `get Credentials`), continuing the caller's trace from the request's
 * `traceparent` application property and tagged with the tenant and device where known.
 */
export function tracedHandler(name: string, handler: RequestHandler): RequestHandler {
  return (request: ReceivedMessage): Promise<Message> => {
    const [, tenantId] = request.source.split('/');
    const deviceId = request.properties?.['device_id'];
    return withSpan(
      name,
      {
        [SpanAttributes.TENANT_ID]: tenantId,
        [SpanAttributes.DEVICE_ID]: typeof deviceId === 'string' ? deviceId : undefined,
      },
      async (span) => {
        const reply = await handler(request);
        const status = reply.properties?.['status'];
        if (typeof status === 'number') span.setAttribute('status', status);
        return reply;
      },
      { kind: SpanKind.SERVER, parent: extractTraceContext(request.properties ?? {}) },
    );
  };
}
