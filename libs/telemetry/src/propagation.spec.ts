import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

import { bootstrapTelemetry, type Telemetry } from './bootstrap-telemetry';
import { extractTraceContext, injectTraceContext, type TraceCarrier } from './propagation';
import { withSpan } from './with-span';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe(injectTraceContext.name, () => {
  let exporter: InMemorySpanExporter;
  let telemetry: Telemetry;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    telemetry = bootstrapTelemetry({ serviceName: 'test', env: {}, spanExporter: exporter });
  });

  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('round-trips the trace id through a flat carrier', () => {
    const properties: TraceCarrier = { tenant_id: 'DEFAULT_TENANT' };
    const traceId = withSpan('send Event', {}, (span) => {
      injectTraceContext(properties);
      return span.spanContext().traceId;
    });

    expect(properties['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const sut = extractTraceContext(properties, ROOT_CONTEXT);
    expect(trace.getSpanContext(sut)).toMatchObject({ traceId, isRemote: true });
  });

  it('continues an extracted trace in a child span', () => {
    const parent = extractTraceContext({ traceparent: TRACEPARENT }, ROOT_CONTEXT);

    withSpan('get Tenant', {}, () => undefined, { parent });

    const [span] = exporter.getFinishedSpans();
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('reads Kafka-style Buffer headers', () => {
    const sut = extractTraceContext({ traceparent: Buffer.from(TRACEPARENT) }, ROOT_CONTEXT);

    expect(trace.getSpanContext(sut)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('returns the base context when the carrier holds no trace context', () => {
    const sut = extractTraceContext({ traceparent: 42, other: 'x' }, ROOT_CONTEXT);

    expect(sut).toBe(ROOT_CONTEXT);
    expect(injectTraceContext({}, ROOT_CONTEXT)).toEqual({});
  });
});
