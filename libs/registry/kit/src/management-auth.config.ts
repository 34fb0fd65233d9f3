import { createPublicKey } from 'node:crypto';

import { z } from 'zod';

import { type ConfigOf, ConfigError, defineConfig, envSchemas, envVar } from '@tessera/config';

import { type Grant, parseGrant } from './management-authz';

/** Management API authentication as configured (before the deployment context is applied). */
export const ManagementAuthConfig = defineConfig('management.auth', {
  mode: envVar(
    'MANAGEMENT_AUTH',
    z.enum(['required', 'basic', 'none']).optional(),
    'required (the default; `basic` is the same): callers authenticate with HTTP Basic against ' +
      'MANAGEMENT_USERS or a bearer JWT (MANAGEMENT_JWT_*); none: only embedded mode on loopback',
  ),
  users: envVar(
    'MANAGEMENT_USERS',
    z.string().optional(),
    'management API users: comma- or newline-separated user:bcrypt-hash[:grant+grant…] entries; ' +
      'a grant is platform-admin, registry-service or <role>@<tenant|*>; no grants: platform-admin',
    { sensitive: true },
  ),
  jwtJwksUrl: envVar(
    'MANAGEMENT_JWT_JWKS_URL',
    envSchemas.url(['https', 'http']).optional(),
    'JWKS of the identity provider whose bearer tokens the management API accepts',
  ),
  jwtPublicKey: envVar(
    'MANAGEMENT_JWT_PUBLIC_KEY',
    z.string().optional(),
    'PEM public key (or certificate) verifying bearer tokens, instead of a JWKS URL',
    { sensitive: true },
  ),
  jwtIssuer: envVar(
    'MANAGEMENT_JWT_ISSUER',
    z.string().min(1).optional(),
    'the `iss` bearer tokens must carry (required with a JWKS URL or key)',
  ),
  jwtAudience: envVar(
    'MANAGEMENT_JWT_AUDIENCE',
    z.string().min(1).optional(),
    'the `aud` bearer tokens must carry (required with a JWKS URL or key)',
  ),
  jwtRolesClaim: envVar(
    'MANAGEMENT_JWT_ROLES_CLAIM',
    z.string().min(1).default('roles'),
    'claim holding the grants, as an array or space-separated; dots walk into objects (realm_access.roles)',
  ),
});

export type ManagementAuthConfig = ConfigOf<typeof ManagementAuthConfig>;

/** A user authenticated with a password: the name and the bcrypt hash of the password. */
export interface ManagementUser {
  readonly name: string;
  readonly hash: string;
}

/** A management API user and the roles it holds. */
export interface ManagementAccount extends ManagementUser {
  readonly grants: readonly Grant[];
}

/** How bearer tokens are verified. */
export interface ManagementJwt {
  readonly jwksUrl?: string | undefined;
  readonly publicKey?: string | undefined;
  readonly issuer: string;
  readonly audience: string;
  readonly rolesClaim: string;
}

/** The effective management API authentication. */
export type ManagementAuth =
  | {
      readonly mode: 'required';
      readonly users: readonly ManagementAccount[];
      readonly jwt?: ManagementJwt | undefined;
    }
  | { readonly mode: 'none' };

/** Where the process runs, which decides whether `none` is allowed (and the default). */
export interface ManagementAuthContext {
  /** Only the embedded all-in-one app, meant for a developer's machine, may run unprotected. */
  readonly embeddedDevMode: boolean;
  /** The address the HTTP server binds to. */
  readonly host: string;
}

const BCRYPT_HASH = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Parses a list of `user:bcrypt-hash` entries (comma- or newline-separated), as MANAGEMENT_USERS
 * and AMQP_USERS hold them. Problems name the variable and the entry's position, never its text.
 */
export function parseUserList(
  text: string | undefined,
  variable: string,
  problems: string[],
): ManagementUser[] {
  return parseEntries(text, variable, problems, false).map(({ name, hash }) => ({ name, hash }));
}

/** Parses MANAGEMENT_USERS: `user:bcrypt-hash[:grant+grant…]`; without grants a platform admin. */
export function parseManagementUsers(
  text: string | undefined,
  problems: string[],
): ManagementAccount[] {
  return parseEntries(text, 'MANAGEMENT_USERS', problems, true);
}

function parseEntries(
  text: string | undefined,
  variable: string,
  problems: string[],
  withGrants: boolean,
): ManagementAccount[] {
  const users: ManagementAccount[] = [];
  const entries = (text ?? '')
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  entries.forEach((entry, index) => {
    // bcrypt hashes hold no colon, so the fields split cleanly.
    const [name = '', hash = '', grantList, ...rest] = entry.split(':');
    const where = `${variable}: entry ${String(index + 1)}`;
    // Never echo the entry: it holds a password hash.
    if (name === '' || !BCRYPT_HASH.test(hash) || rest.length > 0) {
      problems.push(`${where} is not user:bcrypt-hash${withGrants ? '[:grants]' : ''}`);
      return;
    }
    if (grantList !== undefined && !withGrants) {
      problems.push(`${where} is not user:bcrypt-hash`);
      return;
    }
    if (users.some((u) => u.name === name)) {
      problems.push(`${variable}: user ${name} is listed twice`);
      return;
    }
    const grants: Grant[] = [];
    for (const text of grantList === undefined ? [] : grantList.split('+')) {
      const grant = parseGrant(text);
      if (typeof grant === 'string') problems.push(`${variable}: user ${name}: ${grant}`);
      else grants.push(grant);
    }
    users.push({
      name,
      hash,
      grants: grantList === undefined ? [{ role: 'platform-admin' }] : grants,
    });
  });
  return users;
}

/**
 * Applies the deployment context: `none` is refused unless the process is the embedded app bound to
 * loopback, where it is also the default as long as neither users nor tokens are configured.
 * `required` needs at least one user or a token verifier (a JWKS URL or a key, with the issuer and
 * audience tokens must name).
 * @throws ConfigError listing every problem (never a hash).
 */
export function resolveManagementAuth(
  config: ManagementAuthConfig,
  context: ManagementAuthContext,
): ManagementAuth {
  const local = context.embeddedDevMode && isLoopback(context.host);
  const jwtWanted = config.jwtJwksUrl !== undefined || config.jwtPublicKey !== undefined;
  // Users or tokens given means they are wanted, also on loopback.
  const mode =
    config.mode === 'none' ||
    (config.mode === undefined && local && config.users === undefined && !jwtWanted)
      ? 'none'
      : 'required';
  if (mode === 'none') {
    if (!local) {
      throw new ConfigError([
        `MANAGEMENT_AUTH=none is only allowed for the embedded app bound to loopback (host is ${context.host})`,
      ]);
    }
    return { mode };
  }
  const problems: string[] = [];
  const users = parseManagementUsers(config.users, problems);
  const jwt = jwtOf(config, problems);
  if (problems.length === 0 && users.length === 0 && jwt === undefined) {
    problems.push(
      'MANAGEMENT_USERS (or MANAGEMENT_USERS_FILE) or MANAGEMENT_JWT_JWKS_URL/_PUBLIC_KEY is ' +
        'required unless MANAGEMENT_AUTH=none',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { mode, users, jwt };
}

function jwtOf(config: ManagementAuthConfig, problems: string[]): ManagementJwt | undefined {
  const { jwtJwksUrl: jwksUrl, jwtPublicKey: publicKey, jwtIssuer, jwtAudience } = config;
  if (jwksUrl === undefined && publicKey === undefined) return undefined;
  if (jwksUrl !== undefined && publicKey !== undefined) {
    problems.push('MANAGEMENT_JWT_JWKS_URL and MANAGEMENT_JWT_PUBLIC_KEY exclude each other');
  }
  if (publicKey !== undefined) {
    try {
      createPublicKey(publicKey);
    } catch {
      problems.push('MANAGEMENT_JWT_PUBLIC_KEY is not a PEM public key or certificate');
    }
  }
  // Without both, a token minted by the same provider for another application would be accepted.
  if (jwtIssuer === undefined) problems.push('MANAGEMENT_JWT_ISSUER is required with a JWT key');
  if (jwtAudience === undefined)
    problems.push('MANAGEMENT_JWT_AUDIENCE is required with a JWT key');
  if (jwtIssuer === undefined || jwtAudience === undefined) return undefined;
  return {
    jwksUrl,
    publicKey,
    issuer: jwtIssuer,
    audience: jwtAudience,
    rolesClaim: config.jwtRolesClaim,
  };
}
