import { ConfigError, loadConfig } from '@tessera/config';

import { otlpTracesUrl, TelemetryConfig } from './telemetry.config';

describe('TelemetryConfig', () => {
  it('defaults to tracing off and metrics on', () => {
    const sut = loadConfig({ telemetry: TelemetryConfig }, {});

    expect(sut.telemetry).toEqual({
      tracesExporter: 'none',
      otlpEndpoint: 'http://localhost:4318',
      samplerRatio: 1,
      serviceName: undefined,
      metricsEnabled: true,
    });
  });

  it('parses the OTEL_* variables', () => {
    const sut = loadConfig(
      { telemetry: TelemetryConfig },
      {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318/',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_SERVICE_NAME: 'http-adapter',
        METRICS_ENABLED: 'false',
      },
    );

    expect(sut.telemetry).toEqual({
      tracesExporter: 'otlp',
      otlpEndpoint: 'https://collector:4318/',
      samplerRatio: 0.25,
      serviceName: 'http-adapter',
      metricsEnabled: false,
    });
  });

  it('rejects unknown exporters, ratios outside 0..1 and non-HTTP endpoints', () => {
    expect(() =>
      loadConfig(
        { telemetry: TelemetryConfig },
        {
          OTEL_TRACES_EXPORTER: 'jaeger',
          OTEL_TRACES_SAMPLER_ARG: '1.5',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317',
        },
      ),
    ).toThrow(ConfigError);
  });
});

describe(otlpTracesUrl.name, () => {
  it('appends the traces path to the base endpoint', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces');
  });
});
