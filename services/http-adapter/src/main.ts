import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-http-adapter' });

import { Module } from '@nestjs/common';

import {
  AdapterConfig,
  AdapterRuntime,
  adapterRuntimeOptions,
  registryUrls,
} from '@tessera/adapter-base';
import { loadConfig } from '@tessera/config';
import { createAdapterConnections, KafkaConfig, kafkaOptions } from '@tessera/messaging-nest';
import { HealthModule, ListenerLifecycleModule, runHttpService } from '@tessera/service-nest';

import { HttpAdapterConfig } from './http-adapter.config';
import { HTTP_ADAPTER_TYPE, HttpAdapterServer } from '@tessera/http-adapter';

let server: HttpAdapterServer | undefined;

void runHttpService({
  name: 'tessera http-adapter',
  configure: () => {
    const config = loadConfig({
      adapter: AdapterConfig,
      kafka: KafkaConfig,
      http: HttpAdapterConfig,
    });
    const connections = createAdapterConnections({
      name: 'tessera-http-adapter',
      registry: registryUrls(config.adapter),
      kafka: kafkaOptions(config.kafka),
      amqpBroker:
        config.adapter.amqpBrokerUrl === undefined
          ? undefined
          : { url: config.adapter.amqpBrokerUrl },
    });
    const runtime = new AdapterRuntime(
      connections,
      adapterRuntimeOptions(config.adapter, HTTP_ADAPTER_TYPE),
    );
    const tls =
      config.http.tlsKey !== undefined && config.http.tlsCert !== undefined
        ? { port: config.http.tlsPort, key: config.http.tlsKey, cert: config.http.tlsCert }
        : undefined;
    server = new HttpAdapterServer(runtime, {
      host: config.http.host,
      port: config.http.insecureEnabled ? config.http.port : undefined,
      tls,
      maxHeaderSize: config.http.maxHeaderSize,
      headersTimeoutMs: config.http.headersTimeoutMs,
      requestTimeoutMs: config.http.requestTimeoutMs,
    });
    @Module({
      imports: [
        HealthModule,
        ListenerLifecycleModule.forRoot({ connections: runtime, listeners: server }),
      ],
    })
    class HttpAdapterApp {}
    return {
      module: { module: HttpAdapterApp },
      http: { host: config.http.healthHost, port: config.http.healthPort, bodyLimit: '1kb' },
    };
  },
  announce: () => {
    const urls = server?.endpoints ?? {};
    return [
      ...(urls.http === undefined ? [] : [`${urls.http} (devices, HTTP)`]),
      ...(urls.https === undefined ? [] : [`${urls.https} (devices, HTTPS)`]),
    ];
  },
  onStop: () => telemetry.shutdown(),
});
