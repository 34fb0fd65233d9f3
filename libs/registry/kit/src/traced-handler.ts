import type { Message, ReceivedMessage, RequestHandler } from '@tessera/messaging';
import {
  counter,
  extractTraceContext,
  histogram,
  SpanAttributes,
  SpanKind,
  withSpan,
} from '@tessera/telemetry';

const requests = counter(
  'tessera.registry.requests',
  'Registry API requests over AMQP 1.0, by API and reply status',
);
const durations = histogram(
  'tessera.registry.request.duration',
  'Time to answer a registry API request',
  's',
);

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
        const started = process.hrtime.bigint();
        let status = 'error';
        try {
          const reply = await handler(request);
          const replied = reply.properties?.['status'];
          if (typeof replied === 'number') {
            span.setAttribute('status', replied);
            status = String(replied);
          }
          return reply;
        } finally {
          requests.add(1, { api: name, status });
          durations.record(Number(process.hrtime.bigint() - started) / 1e9, { api: name, status });
        }
      },
      { kind: SpanKind.SERVER, parent: extractTraceContext(request.properties ?? {}) },
    );
  };
}
