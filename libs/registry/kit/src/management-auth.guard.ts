import { createHmac, randomBytes } from 'node:crypto';

import {
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  Inject,
  Injectable,
  Module,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import bcrypt from 'bcryptjs';
import type { Request } from 'express';

import { ClientError } from '@tessera/registry-api';

import type { ManagementAuth, ManagementUser } from './management-auth.config';

/** DI token of the effective {@link ManagementAuth}. */
export const MANAGEMENT_AUTH = Symbol('tessera.management-auth');

/** Paths that stay open: probes and the Prometheus scrape endpoint. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/liveness', '/readiness', '/metrics']);

const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 1_024;

/** The user and password of an `Authorization: Basic` header, or undefined. */
export function basicCredentials(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function unauthorized(): ClientError {
  // The HTTP error filter adds `WWW-Authenticate: Basic realm="Tessera"` to every 401.
  return new ClientError(401, 'MANAGEMENT.UNAUTHORIZED', 'authentication required');
}

/**
 * HTTP Basic authentication of the management API against bcrypt hashes. bcrypt is slow on purpose,
 * so a successful check is remembered for a minute under an HMAC of user and password (with a key
 * that never leaves the process); concurrent requests with the same credentials share one check.
 */
@Injectable()
export class ManagementAuthGuard implements CanActivate {
  private readonly key = randomBytes(32);
  private readonly verified = new Map<string, number>();
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(@Inject(MANAGEMENT_AUTH) private readonly auth: ManagementAuth) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Other transports (AMQP) authenticate their peers themselves.
    if (this.auth.mode === 'none' || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (OPEN_PATHS.has(request.path)) return true;
    const credentials = basicCredentials(request.headers.authorization);
    if (credentials === undefined) throw unauthorized();
    if (!(await this.check(this.auth.users, credentials.user, credentials.password))) {
      throw unauthorized();
    }
    return true;
  }

  private async check(
    users: readonly ManagementUser[],
    name: string,
    password: string,
  ): Promise<boolean> {
    const key = createHmac('sha256', this.key)
      .update(JSON.stringify([name, password]))
      .digest('base64');
    const now = Date.now();
    const until = this.verified.get(key);
    if (until !== undefined) {
      if (until > now) return true;
      this.verified.delete(key);
    }
    let verification = this.pending.get(key);
    if (verification === undefined) {
      verification = this.verify(users, name, password).finally(() => this.pending.delete(key));
      this.pending.set(key, verification);
    }
    const ok = await verification;
    if (ok) this.remember(key, now + CACHE_TTL_MS);
    return ok;
  }

  private async verify(
    users: readonly ManagementUser[],
    name: string,
    password: string,
  ): Promise<boolean> {
    const user = users.find((u) => u.name === name);
    // Unknown users cost a bcrypt round too, so response times do not reveal user names.
    const hash = user?.hash ?? users[0]?.hash;
    if (hash === undefined) return false;
    const matches = await bcrypt.compare(password, hash);
    return matches && user !== undefined;
  }

  private remember(key: string, until: number): void {
    this.verified.delete(key);
    if (this.verified.size >= CACHE_MAX_ENTRIES) {
      const oldest = this.verified.keys().next();
      if (oldest.done !== true) this.verified.delete(oldest.value);
    }
    this.verified.set(key, until);
  }
}

/**
 * Protects every HTTP route of the app except {@link OPEN_PATHS} (a global guard, so a controller
 * added later cannot be left open by mistake). Import it once per app.
 */
@Module({})
export class ManagementAuthModule {
  static forRoot(auth: ManagementAuth): DynamicModule {
    return {
      module: ManagementAuthModule,
      providers: [
        { provide: MANAGEMENT_AUTH, useValue: auth },
        { provide: APP_GUARD, useClass: ManagementAuthGuard },
      ],
      exports: [MANAGEMENT_AUTH],
    };
  }
}
