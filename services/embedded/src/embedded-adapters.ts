import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { AdapterRuntime, type AdapterRuntimeOptions } from '@tessera/adapter-base';
import { HTTP_ADAPTER_TYPE, HttpAdapterServer } from '@tessera/http-adapter';
import type { MessageReceiver, MessageSender } from '@tessera/messaging';
import {
  AMQP_ENDPOINT,
  type AmqpEndpoint,
  NOTIFICATION_RECEIVER,
  NOTIFICATION_SENDER,
  NOTIFICATION_TRANSPORT,
} from '@tessera/messaging-nest';
import { MQTT_ADAPTER_TYPE, MqttAdapterServer } from '@tessera/mqtt-adapter';
import { HealthRegistry } from '@tessera/service-nest';

/** DI token of the embedded adapters' settings. */
export const EMBEDDED_ADAPTERS_OPTIONS = Symbol('tessera.embedded-adapters-options');

/** Where the embedded adapters listen, and their pipeline settings. */
export interface EmbeddedAdaptersOptions {
  readonly host: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  /** HTTPS and MQTT over TLS, with client-certificate authentication, where a key is configured. */
  readonly tls?: {
    readonly key: string;
    readonly cert: string;
    readonly httpPort: number;
    readonly mqttPort: number;
  };
  readonly runtime: Omit<AdapterRuntimeOptions, 'adapterType'>;
}

/**
 * The HTTP and MQTT adapters inside the embedded app. They use the registry in-process (the AMQP
 * endpoint's own handlers, no network hop, no credentials), the change notifications of the app's
 * notification transport, and send northbound to Kafka when it is configured, else to the embedded
 * AMQP port's northbound addresses (`telemetry/<tenant>`, `event/<tenant>`), where business
 * applications attach receivers as they would to Hono's AMQP messaging network.
 */
@Injectable()
export class EmbeddedAdapters
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  readonly http: HttpAdapterServer;
  readonly mqtt: MqttAdapterServer;
  private readonly runtimes: AdapterRuntime[];

  constructor(
    @Inject(EMBEDDED_ADAPTERS_OPTIONS) options: EmbeddedAdaptersOptions,
    @Inject(AMQP_ENDPOINT) endpoint: AmqpEndpoint,
    @Inject(NOTIFICATION_SENDER) notificationSender: MessageSender,
    @Inject(NOTIFICATION_RECEIVER) receiver: MessageReceiver,
    @Inject(NOTIFICATION_TRANSPORT) transport: string,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    const northbound = endpoint.northbound;
    const downstream =
      transport === 'kafka' || northbound === undefined
        ? { kafka: notificationSender }
        : { amqp: northbound };
    const runtime = (adapterType: string): AdapterRuntime =>
      new AdapterRuntime(
        {
          registry: endpoint.localClient(),
          downstream,
          notifications: receiver,
          checks: {},
          lifecycle: [],
        },
        { ...options.runtime, adapterType },
      );
    const httpRuntime = runtime(HTTP_ADAPTER_TYPE);
    const mqttRuntime = runtime(MQTT_ADAPTER_TYPE);
    this.runtimes = [httpRuntime, mqttRuntime];
    const { tls } = options;
    this.http = new HttpAdapterServer(httpRuntime, {
      host: options.host,
      port: options.httpPort,
      ...(tls && { tls: { port: tls.httpPort, key: tls.key, cert: tls.cert } }),
    });
    this.mqtt = new MqttAdapterServer(mqttRuntime, {
      host: options.host,
      port: options.mqttPort,
      ...(tls && { tls: { port: tls.mqttPort, key: tls.key, cert: tls.cert } }),
      maxPayloadBytes: options.runtime.maxPayloadBytes,
    });
    health.register('adapters', () => this.http.endpoints.http !== undefined);
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.runtimes.map((r) => r.start()));
    await Promise.all([this.http.start(), this.mqtt.start()]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.http.stop(), this.mqtt.stop()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runtimes.map((r) => r.stop()));
  }
}
