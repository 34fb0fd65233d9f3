export {
  bootstrapTelemetry,
  isTracingEnabled,
  PROMETHEUS_CONTENT_TYPE,
  type BootstrapTelemetryOptions,
  type Telemetry,
} from './bootstrap-telemetry';
export {
  counter,
  DURATION_SECONDS_BOUNDARIES,
  histogram,
  METER_NAME,
  observedCounter,
  type CounterObserver,
  timed,
  upDownCounter,
} from './metrics';
export {
  extractTraceContext,
  inContext,
  injectTraceContext,
  type ReadonlyTraceCarrier,
  type TraceCarrier,
} from './propagation';
export {
  SAMPLING_MODE_ATTRIBUTE,
  samplingModeOf,
  type SamplingMode,
  TenantSamplingSampler,
} from './sampling';
export {
  otlpTracesUrl,
  TelemetryConfig,
  TRACES_EXPORTERS,
  type TracesExporter,
} from './telemetry.config';
export {
  SpanAttributes,
  TRACER_NAME,
  withSpan,
  type SpanAttributeKey,
  type WithSpanOptions,
} from './with-span';
export { SpanKind, type Attributes, type Context, type Span } from '@opentelemetry/api';
/** For tests: collects finished spans in memory (pass as `spanExporter` to bootstrapTelemetry). */
export { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
