import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-mqtt-adapter' });

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

import { MqttAdapterConfig } from './mqtt-adapter.config';
import { MQTT_ADAPTER_TYPE, MqttAdapterServer } from '@tessera/mqtt-adapter';

let server: MqttAdapterServer | undefined;

void runHttpService({
  name: 'tessera mqtt-adapter',
  configure: () => {
    const config = loadConfig({
      adapter: AdapterConfig,
      kafka: KafkaConfig,
      mqtt: MqttAdapterConfig,
    });
    const connections = createAdapterConnections({
      name: 'tessera-mqtt-adapter',
      registry: registryUrls(config.adapter),
      kafka: kafkaOptions(config.kafka),
      amqpBroker:
        config.adapter.amqpBrokerUrl === undefined
          ? undefined
          : { url: config.adapter.amqpBrokerUrl },
    });
    const runtime = new AdapterRuntime(
      connections,
      adapterRuntimeOptions(config.adapter, MQTT_ADAPTER_TYPE),
    );
    const { mqtt } = config;
    server = new MqttAdapterServer(runtime, {
      host: mqtt.host,
      port: mqtt.insecureEnabled ? mqtt.port : undefined,
      tls:
        mqtt.tlsKey !== undefined && mqtt.tlsCert !== undefined
          ? { port: mqtt.tlsPort, key: mqtt.tlsKey, cert: mqtt.tlsCert }
          : undefined,
      maxPayloadBytes: config.adapter.maxPayloadBytes,
      authenticationRequired: mqtt.authenticationRequired,
      maxInFlight: mqtt.maxInFlight,
      connectTimeoutMs: mqtt.connectTimeoutMs,
      drainTimeoutMs: mqtt.drainTimeoutMs,
      maxConnections: mqtt.maxConnections,
      tenantConnectRate:
        mqtt.tenantConnectRate > 0
          ? { perSecond: mqtt.tenantConnectRate, burst: mqtt.tenantConnectBurst }
          : undefined,
    });
    @Module({
      imports: [
        HealthModule,
        ListenerLifecycleModule.forRoot({ connections: runtime, listeners: server }),
      ],
    })
    class MqttAdapterApp {}
    return {
      module: { module: MqttAdapterApp },
      http: { host: mqtt.healthHost, port: mqtt.healthPort, bodyLimit: '1kb' },
    };
  },
  announce: () => {
    const urls = server?.endpoints ?? {};
    return [
      ...(urls.mqtt === undefined ? [] : [`${urls.mqtt} (devices, MQTT)`]),
      ...(urls.mqtts === undefined ? [] : [`${urls.mqtts} (devices, MQTT over TLS)`]),
    ];
  },
  onStop: () => telemetry.shutdown(),
});
