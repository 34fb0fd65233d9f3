import { bootstrapTelemetry } from '@tessera/telemetry';

const telemetry = bootstrapTelemetry({ serviceName: 'tessera-mqtt-adapter' });

import {
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import {
  AdapterConfig,
  AdapterRuntime,
  adapterRuntimeOptions,
  registryUrls,
} from '@tessera/adapter-base';
import { loadConfig } from '@tessera/config';
import { createAdapterConnections, KafkaConfig, kafkaOptions } from '@tessera/messaging-nest';
import { HealthModule, HealthRegistry, runHttpService } from '@tessera/service-nest';

import { MqttAdapterConfig } from './mqtt-adapter.config';
import { MQTT_ADAPTER_TYPE, MqttAdapterServer } from '@tessera/mqtt-adapter';

/** Starts the device listeners after the registry and broker connections, stops them first. */
class MqttAdapterLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    @Inject(AdapterRuntime) private readonly runtime: AdapterRuntime,
    @Inject(MqttAdapterServer) private readonly server: MqttAdapterServer,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    health.register('connections', async () =>
      Object.values(await runtime.readiness()).every(Boolean),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
    await this.server.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

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
    });
    @Module({
      imports: [HealthModule],
      providers: [
        { provide: AdapterRuntime, useValue: runtime },
        { provide: MqttAdapterServer, useValue: server },
        MqttAdapterLifecycle,
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
