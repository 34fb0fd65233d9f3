import { type DynamicModule, Module } from '@nestjs/common';

import { PersistenceModule, type PersistenceConfig } from '@tessera/persistence-nest';
import { HealthController, HealthRegistry, MetricsController } from '@tessera/service-nest';

/** Every Tessera service in one process, for trying it on a laptop. */
@Module({})
export class EmbeddedModule {
  static forRoot(config: { persistence: PersistenceConfig }): DynamicModule {
    return {
      module: EmbeddedModule,
      imports: [PersistenceModule.forRoot(config.persistence)],
      controllers: [HealthController, MetricsController],
      providers: [HealthRegistry],
    };
  }
}
