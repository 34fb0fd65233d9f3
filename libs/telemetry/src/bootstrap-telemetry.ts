import type { IncomingMessage, ServerResponse } from 'node:http';

import {
  context,
  diag,
  INVALID_SPAN_CONTEXT,
  metrics,
  propagation,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

import { loadConfig, type Env } from '@tessera/config';

import { TenantSamplingSampler } from './sampling';
import { otlpTracesUrl, TelemetryConfig } from './telemetry.config';

/** `Content-Type` of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface BootstrapTelemetryOptions {
  /** `service.name`; `OTEL_SERVICE_NAME` overrides it. */
  readonly serviceName: string;
  /** Environment to read the `OTEL_*` variables from; default `process.env`. */
  readonly env?: Env;
  /**
   * Exports finished spans through a SimpleSpanProcessor and turns tracing on whatever
   * `OTEL_TRACES_EXPORTER` says. Meant for tests (InMemorySpanExporter) and debugging.
   */
  readonly spanExporter?: SpanExporter;
  /** Replaces `ParentBased(TraceIdRatio(OTEL_TRACES_SAMPLER_ARG))`; unused with tracing off. */
  readonly sampler?: Sampler;
}

/** The process-wide telemetry set up by bootstrapTelemetry(). Its functions are bound. */
export interface Telemetry {
  readonly serviceName: string;
  /** False when no span exporter is configured: spans are then non-recording. */
  readonly tracingEnabled: boolean;
  readonly metricsEnabled: boolean;
  /** All metrics in Prometheus text format; empty when metrics are off. */
  readonly collectMetrics: () => Promise<string>;
  /** Node/Express handler serving collectMetrics() for `GET /metrics`; 404 with metrics off. */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Exports buffered spans now. */
  readonly forceFlush: () => Promise<void>;
  /**
   * Flushes; the last of the callers that bootstrapped (embedded mode runs several services in one
   * process) also shuts the providers down and unregisters the globals, so that a later
   * bootstrapTelemetry() starts afresh.
   */
  readonly shutdown: () => Promise<void>;
}

// Tracing off: what the API does without an SDK. Each span is a non-recording wrapper around its
// parent's span context, so an incoming traceparent passes through this service unchanged (sampled
// flag included), and no sampler, id generator or span processor runs.
class PassThroughTracer implements Tracer {
  startSpan(_name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    return trace.wrapSpanContext(
      parent && trace.isSpanContextValid(parent) ? parent : INVALID_SPAN_CONTEXT,
    );
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const parent = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, parent);
    const run = (): ReturnType<F> => fn(span) as ReturnType<F>;
    return context.with(trace.setSpan(parent, span), run);
  }
}

// Tracing off: registered as the global provider without a context manager (see bootstrapTelemetry).
class NoopTracerProvider extends NodeTracerProvider {
  private readonly tracer = new PassThroughTracer();

  override getTracer(): Tracer {
    return this.tracer;
  }
}

interface Registration {
  readonly handle: Telemetry;
  refs: number;
}

let registration: Registration | undefined;

/**
 * Whether spans are recorded (an exporter is configured). Hot paths skip work that only feeds spans
 * (e.g. looking up a tenant's sampling mode) when it is not.
 */
export function isTracingEnabled(): boolean {
  return registration?.handle.tracingEnabled ?? false;
}

/**
 * Sets up OpenTelemetry for the process: a global tracer provider with the W3C trace-context and
 * baggage propagators, and a global meter provider read by a Prometheus exporter that starts no
 * server of its own (the service serves `metricsHandler` on its HTTP port). Call it on the first
 * line of `main.ts`. Later calls return the same handle and ignore their options.
 */
export function bootstrapTelemetry(options: BootstrapTelemetryOptions): Telemetry {
  if (registration) {
    registration.refs += 1;
    return registration.handle;
  }
  const { telemetry: config } = loadConfig({ telemetry: TelemetryConfig }, options.env);
  const serviceName = config.serviceName ?? options.serviceName;
  const resource = defaultResource().merge(
    resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
  );

  const spanProcessor = createSpanProcessor(config, options.spanExporter);
  const tracerProvider = spanProcessor
    ? new NodeTracerProvider({
        resource,
        sampler:
          options.sampler ??
          new TenantSamplingSampler(
            new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) }),
          ),
        spanProcessors: [spanProcessor],
      })
    : new NoopTracerProvider();
  const propagator = new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
  if (spanProcessor) {
    tracerProvider.register({ propagator });
  } else {
    // Tracing off costs nothing: no context manager (on Node 20 its AsyncLocalStorage turns on
    // promise hooks for every promise of the process, which halved the HTTP adapter's throughput),
    // so spans are not made active and no trace context is passed on (as Hono's no-op tracer).
    trace.setGlobalTracerProvider(tracerProvider);
    propagation.setGlobalPropagator(propagator);
  }

  let prometheus: { exporter: PrometheusExporter; provider: MeterProvider } | undefined;
  if (config.metricsEnabled) {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const provider = new MeterProvider({ resource, readers: [exporter] });
    metrics.setGlobalMeterProvider(provider);
    prometheus = { exporter, provider };
  }
  const serializer = new PrometheusSerializer();

  const collectMetrics = async (): Promise<string> => {
    if (!prometheus) return '';
    const { resourceMetrics, errors } = await prometheus.exporter.collect();
    if (errors.length > 0) diag.warn('telemetry: errors while collecting metrics', ...errors);
    return serializer.serialize(resourceMetrics);
  };

  const metricsHandler = (_req: IncomingMessage, res: ServerResponse): void => {
    if (!prometheus) {
      res.statusCode = 404;
      res.end('metrics are disabled (METRICS_ENABLED=false)\n');
      return;
    }
    collectMetrics().then(
      (text) => {
        res.statusCode = 200;
        res.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
        res.end(text);
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(`failed to collect metrics: ${String(error)}\n`);
      },
    );
  };

  const forceFlush = async (): Promise<void> => {
    await Promise.all([tracerProvider.forceFlush(), prometheus?.provider.forceFlush()]);
  };

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await Promise.all([tracerProvider.shutdown(), prometheus?.provider.shutdown()]);
    trace.disable();
    context.disable();
    propagation.disable();
    if (prometheus) metrics.disable();
    registration = undefined;
  };

  const state: Registration = {
    refs: 1,
    handle: {
      serviceName,
      tracingEnabled: spanProcessor !== undefined,
      metricsEnabled: prometheus !== undefined,
      collectMetrics,
      metricsHandler,
      forceFlush,
      shutdown: async () => {
        if (closing) return closing;
        await forceFlush();
        state.refs -= 1;
        if (state.refs > 0) return;
        closing ??= close();
        return closing;
      },
    },
  };
  registration = state;
  return state.handle;
}

function createSpanProcessor(
  config: TelemetryConfig,
  spanExporter: SpanExporter | undefined,
): SpanProcessor | undefined {
  if (spanExporter) return new SimpleSpanProcessor(spanExporter);
  switch (config.tracesExporter) {
    case 'none':
      return undefined;
    case 'console':
      return new SimpleSpanProcessor(new ConsoleSpanExporter());
    case 'otlp':
      return new BatchSpanProcessor(
        new OTLPTraceExporter({ url: otlpTracesUrl(config.otlpEndpoint) }),
      );
  }
}
