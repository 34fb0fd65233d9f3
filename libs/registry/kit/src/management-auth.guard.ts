import { createHmac, createPublicKey, randomBytes } from 'node:crypto';

import {
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Module,
  SetMetadata,
} from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import bcrypt from 'bcryptjs';
import type { Request } from 'express';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

import { ClientError, NotFoundError, ServerError } from '@tessera/registry-api';

import type { ManagementAccount, ManagementAuth, ManagementJwt } from './management-auth.config';
import {
  authorize,
  type Grant,
  LOCAL_ADMIN,
  parseGrant,
  type Permission,
  type Principal,
  tenantsWith,
} from './management-authz';

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
 * What a route needs: a permission on the route's `:tenantId` (`tenant`), platform-wide
 * (`platform`), or on at least one tenant, the route showing only those (`visible`, searches).
 */
export interface RouteRule {
  readonly permission: Permission;
  readonly scope: 'tenant' | 'platform' | 'visible';
}

const RULE = 'tessera.management.rule';

/**
 * Declares the permission a management route needs (see {@link RouteRule}; `tenant` by default).
 * Routes without a rule are for platform admins only, so a new route is never open by mistake.
 */
export const Requires = (permission: Permission, scope: RouteRule['scope'] = 'tenant') =>
  SetMetadata(RULE, { permission, scope } satisfies RouteRule);

const PRINCIPAL = Symbol('tessera.principal');

/** The authenticated caller of a request the guard let through. */
export function principalOf(request: Request): Principal {
  return (request as Request & { [PRINCIPAL]?: Principal })[PRINCIPAL] ?? { name: '', grants: [] };
}

const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/**
 * Verifies bearer tokens: signature (asymmetric algorithms only, so a public key can never be
 * used as an HMAC secret), `iss`, `aud`, `exp`/`nbf` with 30 s of clock skew; the grants come from
 * the roles claim. Unknown grants are ignored (a token may carry roles of other applications).
 */
export class JwtVerifier {
  private readonly key: Parameters<typeof jwtVerify>[1];

  constructor(private readonly settings: ManagementJwt) {
    this.key =
      settings.jwksUrl !== undefined
        ? createRemoteJWKSet(new URL(settings.jwksUrl))
        : createPublicKey(settings.publicKey ?? '');
  }

  /**
   * @returns the caller, or undefined for any token that does not verify.
   * @throws ServerError 503 when the JWKS cannot be fetched: the token may well be valid.
   */
  async verify(token: string): Promise<Principal | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ASYMMETRIC,
        clockTolerance: 30,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      // jose times out as ERR_JWKS_TIMEOUT; an unreachable endpoint fails fetch itself (a TypeError,
      // compared by name: it may come from another realm than this module's).
      const { code, name } = error as { code?: unknown; name?: unknown };
      if (code === 'ERR_JWKS_TIMEOUT' || name === 'TypeError') {
        throw new ServerError(503, 'MANAGEMENT.JWKS_UNAVAILABLE', 'token keys are unavailable');
      }
      return undefined;
    }
    return {
      name: payload.sub ?? '',
      grants: grantsOf(claimAt(payload, this.settings.rolesClaim)),
    };
  }
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function grantsOf(claim: unknown): Grant[] {
  const texts = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(' ') : [];
  return texts.flatMap((t) => {
    const grant = typeof t === 'string' ? parseGrant(t) : 'not a string';
    return typeof grant === 'string' ? [] : [grant];
  });
}

function visibleAny(principal: Principal, permission: Permission): 'allow' | 'forbidden' {
  const tenants = tenantsWith(principal, permission);
  return tenants === 'all' || tenants.length > 0 ? 'allow' : 'forbidden';
}

/**
 * Authentication and authorization of the management API. Callers authenticate with HTTP Basic
 * against bcrypt hashes or with a bearer JWT; each route's {@link Requires} rule is then checked
 * against the caller's grants: 403 without the permission, and 404, exactly as for a missing
 * tenant, when the caller holds no role for the route's tenant (it may not learn that it exists).
 *
 * bcrypt is slow on purpose, so a successful check is remembered for a minute under an HMAC of user
 * and password (with a key that never leaves the process); concurrent requests with the same
 * credentials share one check.
 */
@Injectable()
export class ManagementAuthGuard implements CanActivate {
  private readonly logger = new Logger('management-auth');
  private readonly key = randomBytes(32);
  private readonly verified = new Map<string, number>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly jwt: JwtVerifier | undefined;

  constructor(
    @Inject(MANAGEMENT_AUTH) private readonly auth: ManagementAuth,
    private readonly reflector: Reflector,
  ) {
    this.jwt = auth.mode === 'required' && auth.jwt ? new JwtVerifier(auth.jwt) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Other transports (AMQP) authenticate their peers themselves.
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (OPEN_PATHS.has(request.path)) return true;
    const principal =
      this.auth.mode === 'none' ? LOCAL_ADMIN : await this.authenticate(request, this.auth.users);
    (request as Request & { [PRINCIPAL]?: Principal })[PRINCIPAL] = principal;
    const rule = this.reflector.getAllAndOverride<RouteRule | undefined>(RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const param: unknown = request.params['tenantId'];
    const tenantId = rule?.scope === 'tenant' && typeof param === 'string' ? param : undefined;
    const decision =
      rule?.scope === 'visible'
        ? visibleAny(principal, rule.permission)
        : authorize(principal, rule?.permission ?? 'CREATE_TENANT', tenantId);
    if (decision === 'allow') return true;
    this.logger.debug(`${principal.name}: ${request.method} ${request.path} ${decision}`);
    if (decision === 'hidden' && tenantId !== undefined) {
      // The very error a missing tenant gives.
      throw new NotFoundError('TENANT.NOT_FOUND', `tenant ${tenantId} not found`, { tenantId });
    }
    throw new ClientError(403, 'MANAGEMENT.FORBIDDEN', 'not allowed');
  }

  private async authenticate(
    request: Request,
    users: readonly ManagementAccount[],
  ): Promise<Principal> {
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header);
    if (bearer?.[1] !== undefined) {
      const principal = this.jwt === undefined ? undefined : await this.jwt.verify(bearer[1]);
      if (principal === undefined) throw unauthorized();
      return principal;
    }
    const credentials = basicCredentials(header);
    if (credentials === undefined) throw unauthorized();
    const account = users.find((u) => u.name === credentials.user);
    if (!(await this.check(users, credentials.user, credentials.password))) {
      throw unauthorized();
    }
    return { name: credentials.user, grants: account?.grants ?? [] };
  }

  private async check(
    users: readonly ManagementAccount[],
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
    users: readonly ManagementAccount[],
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
