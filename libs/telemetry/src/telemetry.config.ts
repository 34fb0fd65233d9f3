import { z } from 'zod';

import { defineConfig, envSchemas, envVar, type ConfigOf } from '@tessera/config';

/** Where finished spans go; `none` keeps tracing off (no span processor, non-recording spans). */
export const TRACES_EXPORTERS = ['none', 'otlp', 'console'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

/** The standard `OTEL_*` variables Tessera honours, plus `METRICS_ENABLED`. */
export const TelemetryConfig = defineConfig('telemetry', {
  tracesExporter: envVar(
    'OTEL_TRACES_EXPORTER',
    z.enum(TRACES_EXPORTERS).default('none'),
    'Span exporter: none (tracing off), otlp (OTLP/HTTP protobuf) or console',
  ),
  otlpEndpoint: envVar(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    envSchemas.url(['http', 'https']).default('http://localhost:4318'),
    'OTLP/HTTP base URL; traces are sent to <endpoint>/v1/traces',
  ),
  samplerRatio: envVar(
    'OTEL_TRACES_SAMPLER_ARG',
    z.coerce.number().min(0).max(1).default(1),
    'Fraction of new traces to sample (0..1); a sampled parent is always followed',
  ),
  serviceName: envVar(
    'OTEL_SERVICE_NAME',
    z.string().min(1).optional(),
    'Overrides the service.name given in code',
  ),
  metricsEnabled: envVar(
    'METRICS_ENABLED',
    envSchemas.boolean(true),
    'Collect metrics for the Prometheus /metrics endpoint',
  ),
});
export type TelemetryConfig = ConfigOf<typeof TelemetryConfig>;

/** The OTLP/HTTP traces URL for a base `OTEL_EXPORTER_OTLP_ENDPOINT`, built as the spec says. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
