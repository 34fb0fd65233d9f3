import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { HealthModule, HealthRegistry } from './health';

/** Something that opens and closes (connections, listeners). */
export interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The connections a service needs before it listens, and their readiness. */
export interface ServiceConnections extends Startable {
  /** Readiness per connection (e.g. `registry`, `kafka`). */
  readiness(): Promise<Record<string, boolean>>;
}

const PARTS = Symbol('tessera.listener-lifecycle');

@Injectable()
class ListenerLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    @Inject(PARTS)
    private readonly parts: { connections: ServiceConnections; listeners: Startable },
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    health.register('connections', async () =>
      Object.values(await parts.connections.readiness()).every(Boolean),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.parts.connections.start();
    await this.parts.listeners.start();
  }

  // Listeners first: requests in flight finish while the connections they need are still open.
  async beforeApplicationShutdown(): Promise<void> {
    await this.parts.listeners.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.parts.connections.stop();
  }
}

/**
 * A service whose own listeners (e.g. a protocol adapter's device ports) need connections first:
 * opens the connections, then the listeners; on shutdown closes the listeners (letting requests in
 * flight finish), then the connections. `/readiness` follows the connections.
 */
@Module({})
export class ListenerLifecycleModule {
  static forRoot(parts: { connections: ServiceConnections; listeners: Startable }): DynamicModule {
    return {
      module: ListenerLifecycleModule,
      imports: [HealthModule],
      providers: [{ provide: PARTS, useValue: parts }, ListenerLifecycle],
    };
  }
}
