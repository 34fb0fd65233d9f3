import { bootstrapTelemetry, type Telemetry } from './bootstrap-telemetry';
import { counter, histogram, timed, upDownCounter } from './metrics';

// Created before bootstrapTelemetry(), as module-level instruments are.
const attempts = counter('tessera.provisioning.attempts', 'Provisioning attempts');

describe(counter.name, () => {
  let telemetry: Telemetry;

  beforeEach(() => {
    telemetry = bootstrapTelemetry({ serviceName: 'test', env: {} });
  });

  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('shows an increment in the Prometheus text output', async () => {
    attempts.add(1, { tenant_id: 'DEFAULT_TENANT' });
    attempts.add(2, { tenant_id: 'DEFAULT_TENANT' });

    const sut = await telemetry.collectMetrics();

    expect(sut).toContain('# TYPE tessera_provisioning_attempts_total counter');
    expect(sut).toMatch(/^tessera_provisioning_attempts_total\{tenant_id="DEFAULT_TENANT".*\} 3$/m);
    expect(sut).toContain('service_name="test"');
  });

  it('exposes up-down counters', async () => {
    const sut = upDownCounter('tessera.amqp.connections', 'Open AMQP connections');
    sut.add(2);
    sut.add(-1);

    expect(await telemetry.collectMetrics()).toMatch(/^tessera_amqp_connections\{.*\} 1$/m);
  });
});

describe(timed.name, () => {
  let telemetry: Telemetry;

  beforeEach(() => {
    telemetry = bootstrapTelemetry({ serviceName: 'test', env: {} });
  });

  afterEach(async () => {
    await telemetry.shutdown();
  });

  it('records sync and async durations in seconds, with error.type on failure', async () => {
    const duration = histogram('tessera.handler.duration', 'Handler duration', 's');

    expect(timed(duration, { op: 'get' }, () => 'v')).toBe('v');
    await expect(
      timed(duration, { op: 'get' }, () => Promise.reject(new RangeError('x'))),
    ).rejects.toThrow(RangeError);

    const sut = await telemetry.collectMetrics();
    expect(sut).toMatch(
      /^tessera_handler_duration_count\{op="get",otel_scope_name="tessera"\} 1$/m,
    );
    expect(sut).toMatch(
      /^tessera_handler_duration_count\{op="get",error_type="RangeError".*\} 1$/m,
    );
    expect(sut).toMatch(/^tessera_handler_duration_bucket\{.*le="0.005"\} 1$/m);
  });

  it('uses explicit bucket boundaries', async () => {
    const sut = histogram('tessera.payload.size', 'Payload size', 'By', [100, 1000]);
    sut.record(500);

    const text = await telemetry.collectMetrics();
    expect(text).toMatch(/^tessera_payload_size_bucket\{.*le="100"\} 0$/m);
    expect(text).toMatch(/^tessera_payload_size_bucket\{.*le="1000"\} 1$/m);
  });
});
