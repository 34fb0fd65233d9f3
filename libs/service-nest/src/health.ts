import { Controller, Get, Global, HttpCode, Injectable, Module, Res } from '@nestjs/common';
import type { Response } from 'express';

import { MetricsController } from './metrics.controller';

/** A readiness check: resolves true when the dependency it watches is usable. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/** Where modules register what the service needs to be ready (store, broker, registry …). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async readiness(): Promise<Record<string, boolean>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch {
          return [name, false] as const;
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}

/** `/liveness` (the process answers) and `/readiness` (every registered check passes), as in Hono. */
@Controller()
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get('liveness')
  @HttpCode(200)
  liveness(): { status: 'UP' } {
    return { status: 'UP' };
  }

  @Get('readiness')
  async readiness(@Res() response: Response): Promise<void> {
    const checks = await this.registry.readiness();
    const up = Object.values(checks).every(Boolean);
    response.status(up ? 200 : 503).json({ status: up ? 'UP' : 'DOWN', checks });
  }
}

/**
 * `/liveness`, `/readiness` and `/metrics` for a service, with a global {@link HealthRegistry} so
 * that any module (store, broker, registry client) can register what readiness depends on.
 */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [HealthRegistry],
  exports: [HealthRegistry],
})
export class HealthModule {}
