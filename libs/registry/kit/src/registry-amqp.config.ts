import bcrypt from 'bcryptjs';
import { z } from 'zod';

import { type ConfigOf, ConfigError, defineConfig, envVar } from '@tessera/config';
import type { AmqpServerOptions } from '@tessera/messaging-amqp';

import { isLoopback, type ManagementUser, parseUserList } from './management-auth.config';

/** The registry services' AMQP 1.0 endpoint (Hono's Tenant, Device Registration, Credentials APIs). */
export const RegistryAmqpConfig = defineConfig('registry.amqp', {
  host: envVar(
    'AMQP_HOST',
    z.string().optional(),
    'bind address of the registry AMQP 1.0 endpoint (default 0.0.0.0; embedded: TESSERA_HOST)',
  ),
  port: envVar(
    'AMQP_PORT',
    z.coerce.number().int().min(0).max(65535).optional(),
    'registry AMQP 1.0 port (default 5672, 5671 with TLS; 0 picks a free one)',
  ),
  users: envVar(
    'AMQP_USERS',
    z.string().optional(),
    'SASL PLAIN users of the registry AMQP endpoint: comma- or newline-separated user:bcrypt-hash',
    { sensitive: true },
  ),
  permissions: envVar(
    'AMQP_PERMISSIONS',
    z.string().optional(),
    'per-user grants, `user=address:operation|…` separated by `;` (default: the protocol-adapter grants)',
  ),
  tlsKey: envVar('AMQP_TLS_KEY', z.string().optional(), 'PEM private key for AMQPS', {
    sensitive: true,
  }),
  tlsCert: envVar('AMQP_TLS_CERT', z.string().optional(), 'PEM certificate (chain) for AMQPS', {
    sensitive: true,
  }),
});

export type RegistryAmqpConfig = ConfigOf<typeof RegistryAmqpConfig>;

/**
 * One grant: an address pattern (`tenant`, `registration/*`, `credentials/DEFAULT_TENANT`, `*`)
 * and an operation (`get`, `assert`, `*`), Hono's `registration/*:assert` notation.
 */
export interface AmqpGrant {
  readonly address: string;
  readonly operation: string;
}

/** What a protocol adapter needs, and all a user gets unless AMQP_PERMISSIONS says otherwise. */
export const PROTOCOL_ADAPTER_GRANTS: readonly AmqpGrant[] = [
  { address: 'tenant', operation: 'get' },
  { address: 'registration/*', operation: 'assert' },
  { address: 'credentials/*', operation: 'get' },
];

/** What the registry services need of the provisioning-notification service. */
export const PROVISIONING_NOTIFICATION_GRANTS: readonly AmqpGrant[] = [
  { address: 'provisioning-notification/*', operation: 'deliver' },
];

const GRANT = /^([A-Za-z0-9._*-]+(?:\/[A-Za-z0-9._*@:-]+)?):([a-z*]+)$/;

function parsePermissions(
  text: string | undefined,
  users: readonly ManagementUser[],
  problems: string[],
): Map<string, AmqpGrant[]> {
  const grants = new Map<string, AmqpGrant[]>();
  for (const entry of (text ?? '').split(/[;\n]/).map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const user = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (!users.some((u) => u.name === user)) {
      problems.push(`AMQP_PERMISSIONS: "${user}" is no user of AMQP_USERS`);
      continue;
    }
    const list: AmqpGrant[] = [];
    for (const item of entry
      .slice(eq + 1)
      .split(/[|,]/)
      .map((g) => g.trim())) {
      const match = GRANT.exec(item);
      if (!match?.[1] || !match[2]) {
        problems.push(`AMQP_PERMISSIONS: "${item}" is not address:operation`);
        continue;
      }
      list.push({ address: match[1], operation: match[2] });
    }
    grants.set(user, list);
  }
  return grants;
}

function addressMatches(pattern: string, address: string): boolean {
  if (pattern === '*' || pattern === address) return true;
  return pattern.endsWith('/*') && address.startsWith(pattern.slice(0, -1));
}

/**
 * Whether `grants` allow `operation` on `address`; with `operation` undefined, whether they allow
 * anything there (a link may be attached).
 */
export function isGranted(
  grants: readonly AmqpGrant[],
  address: string,
  operation: string | undefined,
): boolean {
  return grants.some(
    (g) =>
      addressMatches(g.address, address) &&
      (operation === undefined || g.operation === '*' || g.operation === operation),
  );
}

/** Where the endpoint runs, which decides whether anonymous access is allowed. */
export interface RegistryAmqpContext {
  /** Only the embedded app on a developer's machine may accept anonymous clients. */
  readonly embeddedDevMode: boolean;
  /** The bind address when AMQP_HOST is not set (embedded: TESSERA_HOST). */
  readonly defaultHost: string;
  /**
   * The grants of a user that AMQP_PERMISSIONS does not name: the protocol adapter's by default;
   * the provisioning-notification service's callers get {@link PROVISIONING_NOTIFICATION_GRANTS}.
   */
  readonly defaultGrants?: readonly AmqpGrant[];
}

/**
 * The endpoint's server options: SASL PLAIN against AMQP_USERS with per-user, per-address,
 * per-operation grants; anonymous access only in embedded mode bound to loopback without users.
 * @throws ConfigError listing every problem (never a hash or key).
 */
export function resolveRegistryAmqp(
  config: RegistryAmqpConfig,
  context: RegistryAmqpContext,
): AmqpServerOptions {
  const host = config.host ?? context.defaultHost;
  const problems: string[] = [];
  const users = parseUserList(config.users, 'AMQP_USERS', problems);
  const grants = parsePermissions(config.permissions, users, problems);
  if ((config.tlsKey === undefined) !== (config.tlsCert === undefined))
    problems.push('AMQP_TLS_KEY and AMQP_TLS_CERT go together');
  const anonymous = users.length === 0 && context.embeddedDevMode && isLoopback(host);
  if (users.length === 0 && problems.length === 0 && !anonymous)
    problems.push(
      context.embeddedDevMode
        ? `AMQP_USERS (or AMQP_USERS_FILE) is required when the registry AMQP endpoint is not on loopback (AMQP_HOST/TESSERA_HOST is ${host})`
        : 'AMQP_USERS (or AMQP_USERS_FILE) is required: the registry AMQP endpoint never accepts anonymous clients outside embedded mode',
    );
  if (problems.length > 0) throw new ConfigError(problems);
  const tls =
    config.tlsKey !== undefined && config.tlsCert !== undefined
      ? { key: config.tlsKey, cert: config.tlsCert }
      : undefined;
  const hashes = new Map(users.map((u) => [u.name, u.hash]));
  return {
    host,
    port: config.port ?? (tls ? 5671 : 5672),
    ...(tls ? { tls } : {}),
    security: anonymous
      ? { allowAnonymous: true }
      : {
          allowAnonymous: false,
          authenticate: async (username, password) => {
            const hash = hashes.get(username);
            return hash !== undefined && (await bcrypt.compare(password, hash));
          },
          authorize: (user, address, operation) =>
            user !== undefined &&
            isGranted(
              grants.get(user) ?? context.defaultGrants ?? PROTOCOL_ADAPTER_GRANTS,
              address,
              operation,
            ),
        },
  };
}
