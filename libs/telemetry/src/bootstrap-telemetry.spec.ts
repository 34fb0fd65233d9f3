import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { metrics, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';

import { bootstrapTelemetry, PROMETHEUS_CONTENT_TYPE } from './bootstrap-telemetry';
import { counter } from './metrics';
import { extractTraceContext, injectTraceContext } from './propagation';
import { withSpan } from './with-span';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** GETs /metrics from a real HTTP server running the handler. */
async function scrape(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ status: number; contentType: string | null; body: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: await res.text(),
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe(bootstrapTelemetry.name, () => {
  it('returns the same handle to a second caller and shuts down after the last one', async () => {
    const sut = bootstrapTelemetry({ serviceName: 'tenant-registry', env: {} });
    const second = bootstrapTelemetry({ serviceName: 'device-registry', env: {} });

    expect(second).toBe(sut);
    expect(sut.serviceName).toBe('tenant-registry');

    await second.shutdown();
    expect(bootstrapTelemetry({ serviceName: 'x', env: {} })).toBe(sut); // still registered

    await sut.shutdown();
    await sut.shutdown();
    const next = bootstrapTelemetry({ serviceName: 'after', env: {} });
    expect(next).not.toBe(sut);
    await next.shutdown();
  });

  it('costs nothing when tracing is off: non-recording spans, no context manager, nothing passed on', async () => {
    const sut = bootstrapTelemetry({ serviceName: 'test', env: { OTEL_TRACES_EXPORTER: 'none' } });
    const parent = extractTraceContext({ traceparent: TRACEPARENT }, ROOT_CONTEXT);

    const outgoing = withSpan(
      'get Tenant',
      {},
      (span) => {
        expect(span.isRecording()).toBe(false);
        return injectTraceContext({});
      },
      { parent },
    );

    try {
      expect(sut.tracingEnabled).toBe(false);
      expect(withSpan('root', {}, (span) => span.isRecording())).toBe(false);
      // Without a context manager no span becomes active, so nothing is injected downstream.
      expect(outgoing).toEqual({});
    } finally {
      await sut.shutdown();
    }
  });

  it('records spans once an exporter is given', async () => {
    const exporter = new InMemorySpanExporter();
    const sut = bootstrapTelemetry({ serviceName: 'test', env: {}, spanExporter: exporter });

    expect(sut.tracingEnabled).toBe(true);
    expect(withSpan('get Tenant', {}, (span) => span.isRecording())).toBe(true);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    await sut.shutdown();
  });

  it('follows the sampler ratio for new traces', async () => {
    const exporter = new InMemorySpanExporter();
    const sut = bootstrapTelemetry({
      serviceName: 'test',
      env: { OTEL_TRACES_SAMPLER_ARG: '0' },
      spanExporter: exporter,
    });

    withSpan('get Tenant', {}, () => undefined);
    withSpan('get Tenant', {}, () => undefined, {
      parent: extractTraceContext({ traceparent: TRACEPARENT }, ROOT_CONTEXT),
    });

    expect(exporter.getFinishedSpans().map((s) => s.spanContext().traceId)).toEqual([
      '0af7651916cd43dd8448eb211c80319c',
    ]);
    await sut.shutdown();
  });

  it('lets OTEL_SERVICE_NAME override the service name', async () => {
    const sut = bootstrapTelemetry({ serviceName: 'test', env: { OTEL_SERVICE_NAME: 'renamed' } });

    expect(sut.serviceName).toBe('renamed');
    expect(await sut.collectMetrics()).toContain('service_name="renamed"');
    await sut.shutdown();
  });

  it('serves /metrics in Prometheus text format', async () => {
    const sut = bootstrapTelemetry({ serviceName: 'test', env: {} });
    counter('tessera.test.requests', 'Requests').add(1);

    const res = await scrape(sut.metricsHandler);

    expect(res.status).toBe(200);
    expect(res.contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(res.body).toMatch(/^tessera_test_requests_total\{.*\} 1$/m);
    await sut.shutdown();
  });

  it('registers no meter provider when METRICS_ENABLED=false', async () => {
    const sut = bootstrapTelemetry({ serviceName: 'test', env: { METRICS_ENABLED: 'false' } });
    counter('tessera.test.requests', 'Requests').add(1);

    expect(sut.metricsEnabled).toBe(false);
    expect(await sut.collectMetrics()).toBe('');
    expect((await scrape(sut.metricsHandler)).status).toBe(404);
    expect(metrics.getMeterProvider()).not.toBeInstanceOf(MeterProvider);
    await sut.shutdown();
  });

  it('unregisters the global tracer provider on shutdown', async () => {
    const sut = bootstrapTelemetry({
      serviceName: 'test',
      env: {},
      spanExporter: new InMemorySpanExporter(),
    });
    await sut.shutdown();

    expect(trace.getTracer('x').startSpan('s').isRecording()).toBe(false);
  });
});
