import { randomBytes } from 'node:crypto';

import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { context, propagation, trace } from '@opentelemetry/api';

import { AdapterRuntime } from '@tessera/adapter-base';
import { loadConfig } from '@tessera/config';
import { CredentialsModule } from '@tessera/credentials-service';
import { DeviceRegistrationModule } from '@tessera/device-registration-service';
import { HTTP_ADAPTER_TYPE, HttpAdapterServer } from '@tessera/http-adapter';
import {
  AMQP_ENDPOINT,
  type AmqpEndpoint,
  AmqpEndpointModule,
  createAdapterConnections,
  KafkaConfig,
  MessagingModule,
} from '@tessera/messaging-nest';
import { PersistenceConfig, PersistenceModule } from '@tessera/persistence-nest';
import {
  ManagementAuthConfig,
  ManagementAuthModule,
  RegistryAmqpConfig,
  resolveManagementAuth,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { createHttpApp, HealthModule } from '@tessera/service-nest';
import { bootstrapTelemetry, InMemorySpanExporter, type Telemetry } from '@tessera/telemetry';
import { TenantModule } from '@tessera/tenant-service';
import { infraEnv, kcatRead, runProgram, uniqueId, untilPasses } from '@tessera/testing';

/*
 * One trace from a device to a backend: telemetry over HTTP with a W3C `traceparent` header, the
 * adapter's `upload telemetry` span, the registry's `assert Device Registration` span reached over
 * AMQP 1.0 (the context travels in the request's application properties), and the Kafka record's
 * `traceparent` header, all with the device's trace id. Registry and adapter run in this process so
 * that an in-memory exporter collects their spans.
 */

const { postgresUrl, kafkaBrokers } = infraEnv();

@Module({ imports: [HealthModule] })
class TracingTestApp {}

function registryModule(): DynamicModule {
  const config = loadConfig(
    {
      persistence: PersistenceConfig,
      kafka: KafkaConfig,
      auth: ManagementAuthConfig,
      amqp: RegistryAmqpConfig,
    },
    {
      PERSISTENCE_DRIVER: 'postgres',
      POSTGRES_URL: postgresUrl,
      POSTGRES_SCHEMA: uniqueId('tracing'),
      KAFKA_BROKERS: kafkaBrokers.join(','),
      MANAGEMENT_AUTH: 'none',
      AMQP_HOST: '127.0.0.1',
      AMQP_PORT: '0',
    },
  );
  return {
    module: TracingTestApp,
    imports: [
      PersistenceModule.forRoot(config.persistence),
      MessagingModule.forRoot(config.kafka, { consumerGroup: 'tracing-it' }),
      ManagementAuthModule.forRoot(
        resolveManagementAuth(config.auth, { embeddedDevMode: true, host: '127.0.0.1' }),
      ),
      AmqpEndpointModule.forRoot(
        resolveRegistryAmqp(config.amqp, { embeddedDevMode: true, defaultHost: '127.0.0.1' }),
      ),
      TenantModule,
      DeviceRegistrationModule,
      CredentialsModule.forRoot({ bcryptCost: 4, maxBcryptCost: 10 }),
    ],
  };
}

describe('trace context from a device to the backend', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let app: INestApplication;
  let runtime: AdapterRuntime;
  let server: HttpAdapterServer;
  let managementUrl = '';
  const tenant = uniqueId('traced');
  const quiet = uniqueId('quiet');
  const loud = uniqueId('loud');

  beforeAll(async () => {
    // Other suites of this worker may have registered global providers: start from scratch.
    trace.disable();
    propagation.disable();
    context.disable();
    telemetry = bootstrapTelemetry({ serviceName: 'tracing-it', spanExporter: exporter });
    const started = await createHttpApp(registryModule(), { host: '127.0.0.1', port: 0 });
    app = started.app;
    managementUrl = `http://127.0.0.1:${String(started.port)}`;
    const amqpUrl = `amqp://127.0.0.1:${String(app.get<AmqpEndpoint>(AMQP_ENDPOINT).port)}`;
    runtime = new AdapterRuntime(
      createAdapterConnections({
        name: 'tracing-it',
        registry: { tenant: amqpUrl, registration: amqpUrl, credentials: amqpUrl },
        kafka: { brokers: kafkaBrokers, clientId: 'tracing-it' },
      }),
      {
        adapterType: HTTP_ADAPTER_TYPE,
        maxPayloadBytes: 2048,
        verifiedCredentialsTtlMs: 60_000,
        registryTimeoutMs: 5_000,
        sendTimeoutMs: 5_000,
      },
    );
    await runtime.start();
    server = new HttpAdapterServer(runtime, { host: '127.0.0.1', port: 0 });
    await server.start();
    const manage = async (method: string, path: string, body: unknown): Promise<void> => {
      const response = await fetch(`${managementUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
    };
    const tracing: Record<string, unknown> = {
      [tenant]: undefined,
      [quiet]: { 'sampling-mode': 'none' },
      [loud]: { 'sampling-mode': 'default', 'sampling-mode-per-auth-id': { d1: 'all' } },
    };
    for (const [t, config] of Object.entries(tracing)) {
      await manage('POST', `/v1/tenants/${t}`, config === undefined ? {} : { tracing: config });
      await manage('POST', `/v1/devices/${t}/d1`, {});
      await manage('PUT', `/v1/credentials/${t}/d1`, [
        { type: 'hashed-password', 'auth-id': 'd1', secrets: [{ 'pwd-plain': 'pw' }] },
      ]);
    }
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    await runtime.stop();
    await app.close();
    await telemetry.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('keeps the device’s trace id in the adapter’s and the registry’s spans and in the Kafka record', async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const result = await runProgram('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-u',
      `d1@${tenant}:pw`,
      '-H',
      `traceparent: ${traceparent}`,
      '-H',
      'QoS-Level: 1',
      '-H',
      'content-type: text/plain',
      '--data-binary',
      'traced',
      `${String(server.endpoints.http)}/telemetry`,
    ]);
    expect(result.stdout).toBe('202');

    const record = await untilPasses(async () => {
      const found = (await kcatRead(kafkaBrokers, `hono.telemetry.${tenant}`)).find(
        (r) => r.payload === 'traced',
      );
      if (found === undefined) throw new Error('no record yet');
      return found;
    }, 20_000);
    expect(record.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    await telemetry.forceFlush();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const names = spans.map((s) => s.name);
    expect(names).toContain('upload telemetry');
    expect(names).toContain('assert Device Registration');
    expect(names).toContain('get Credentials');
    const upload = spans.find((s) => s.name === 'upload telemetry');
    expect(upload?.attributes).toMatchObject({
      tenant_id: tenant,
      device_id: 'd1',
      auth_id: 'd1',
      qos: 1,
    });
    const assertion = spans.find((s) => s.name === 'assert Device Registration');
    expect(assertion?.attributes).toMatchObject({ tenant_id: tenant, device_id: 'd1' });
    // The Kafka record continues the upload span (its parent), not the device's own span.
    expect(record.headers['traceparent']).toContain(upload?.spanContext().spanId ?? 'missing');
  });

  it('applies the tenant’s sampling mode: none drops the upload span, all keeps it for an unsampled trace', async () => {
    const send = async (t: string, flags: string): Promise<string> => {
      const traceId = randomBytes(16).toString('hex');
      const result = await runProgram('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-u',
        `d1@${t}:pw`,
        '-H',
        `traceparent: 00-${traceId}-00f067aa0ba902b7-${flags}`,
        '-H',
        'QoS-Level: 1',
        '-H',
        'content-type: text/plain',
        '--data-binary',
        'x',
        `${String(server.endpoints.http)}/telemetry`,
      ]);
      expect(result.stdout).toBe('202');
      return traceId;
    };
    const uploads = async (traceId: string): Promise<number> => {
      await telemetry.forceFlush();
      return exporter
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === traceId && s.name === 'upload telemetry').length;
    };
    expect(await uploads(await send(quiet, '01'))).toBe(0);
    expect(await uploads(await send(loud, '00'))).toBe(1);
    expect(await uploads(await send(tenant, '00'))).toBe(0); // default: the device's decision
  });
});
