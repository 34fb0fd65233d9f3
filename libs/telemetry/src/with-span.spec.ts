import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

import { bootstrapTelemetry, type Telemetry } from './bootstrap-telemetry';
import { SpanAttributes, withSpan } from './with-span';

describe(withSpan.name, () => {
  let exporter: InMemorySpanExporter;
  let telemetry: Telemetry;

  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    telemetry = bootstrapTelemetry({ serviceName: 'test', env: {}, spanExporter: exporter });
  });

  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('records a span with its name, kind and attributes, dropping undefined ones', () => {
    const sut = withSpan(
      'get Tenant',
      { [SpanAttributes.TENANT_ID]: 'DEFAULT_TENANT', [SpanAttributes.DEVICE_ID]: undefined },
      () => 42,
      { kind: SpanKind.SERVER },
    );

    expect(sut).toBe(42);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('get Tenant');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.attributes).toEqual({ tenant_id: 'DEFAULT_TENANT' });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.resource.attributes['service.name']).toBe('test');
  });

  it('records a thrown error with ERROR status and rethrows it', () => {
    expect(() =>
      withSpan('assert Device Registration', { [SpanAttributes.DEVICE_ID]: 'd1' }, () => {
        throw new Error('no such device');
      }),
    ).toThrow('no such device');

    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such device' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    expect(span?.events[0]?.attributes?.['exception.message']).toBe('no such device');
  });

  it('ends the span when a promise settles and records a rejection', async () => {
    await expect(
      withSpan('get Credentials', {}, async () => {
        await Promise.resolve();
        throw new TypeError('bad credentials');
      }),
    ).rejects.toThrow('bad credentials');
    await expect(withSpan('get Tenant', {}, () => Promise.resolve('ok'))).resolves.toBe('ok');

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.status.code])).toEqual([
      ['get Credentials', SpanStatusCode.ERROR],
      ['get Tenant', SpanStatusCode.UNSET],
    ]);
  });

  it('makes the span active so nested spans become its children, across awaits', async () => {
    await withSpan('get Tenant', {}, async (outer) => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(trace.getActiveSpan()).toBe(outer);
      withSpan('find Tenant', {}, () => undefined);
    });

    const [inner, outer] = exporter.getFinishedSpans();
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.spanContext().traceId).toBe(outer?.spanContext().traceId);
  });
});
