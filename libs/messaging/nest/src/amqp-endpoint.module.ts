import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import {
  type Message,
  type MessageSender,
  MessagingError,
  RequestResponseClient,
  type RequestHandler,
} from '@tessera/messaging';
import { AmqpNorthboundRouter, AmqpServer, type AmqpServerOptions } from '@tessera/messaging-amqp';

/**
 * The AMQP 1.0 port of the registry services (Hono's southbound request/response APIs). Service
 * modules register a handler per endpoint (`tenant`, `registration`, `credentials`) while the app
 * starts; the port opens once every module is initialised.
 */
export class AmqpEndpoint {
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly server: AmqpServer;
  private boundPort: number | undefined;

  /** Hono's northbound addresses on this port, where enabled (embedded mode without Kafka). */
  readonly northbound: MessageSender | undefined;

  constructor(
    private readonly options: AmqpServerOptions,
    extras: { northbound?: boolean } = {},
  ) {
    const router = extras.northbound === true ? new AmqpNorthboundRouter() : undefined;
    this.northbound = router;
    this.server = new AmqpServer(options, this.handlers, router);
  }

  /** Serves `endpoint` (and `endpoint/<tenant>`) with `handler`. */
  register(endpoint: string, handler: RequestHandler): void {
    this.handlers.set(endpoint, handler);
  }

  /**
   * A client that calls this endpoint's handlers in-process, with the same messages as over AMQP
   * (embedded mode: one service asks another without a network hop or credentials).
   */
  localClient(): RequestResponseClient {
    const handlers = this.handlers;
    return new (class extends RequestResponseClient {
      start(): Promise<void> {
        return Promise.resolve();
      }
      stop(): Promise<void> {
        return Promise.resolve();
      }
      async request(address: string, request: Message): Promise<Message> {
        const handler = handlers.get(address.split('/')[0] ?? '');
        if (handler === undefined) {
          throw new MessagingError('UNAVAILABLE', `no handler for ${address}`, false);
        }
        return handler({ ...request, source: address });
      }
    })();
  }

  /** The port listened on, once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** `amqp[s]://host:port` as bound, once started. */
  get url(): string | undefined {
    if (this.boundPort === undefined) return undefined;
    return `${this.options.tls ? 'amqps' : 'amqp'}://${this.options.host}:${String(this.boundPort)}`;
  }

  async start(): Promise<void> {
    this.boundPort ??= await this.server.listen();
  }

  async stop(): Promise<void> {
    await this.server.close();
    this.boundPort = undefined;
  }
}

/** How an {@link AmqpEndpoint} listens and whom it lets in (apps configure it, never rhea). */
export type { AmqpServerOptions };

/** DI token of the {@link AmqpEndpoint}. */
export const AMQP_ENDPOINT = Symbol('tessera.amqp-endpoint');

/** Opens the registry's AMQP port with the handlers the service modules registered. */
@Global()
@Module({})
export class AmqpEndpointModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(AMQP_ENDPOINT) private readonly endpoint: AmqpEndpoint) {}

  /**
   * @param extras.northbound also serve Hono's northbound `telemetry/<tenant>` and `event/<tenant>`
   *   to consumers (see {@link AmqpEndpoint.northbound}).
   */
  static forRoot(options: AmqpServerOptions, extras: { northbound?: boolean } = {}): DynamicModule {
    return {
      module: AmqpEndpointModule,
      providers: [{ provide: AMQP_ENDPOINT, useValue: new AmqpEndpoint(options, extras) }],
      exports: [AMQP_ENDPOINT],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.endpoint.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.stop();
  }
}
