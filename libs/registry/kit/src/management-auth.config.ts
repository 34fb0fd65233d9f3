import { z } from 'zod';

import { type ConfigOf, ConfigError, defineConfig, envVar } from '@tessera/config';

/** Management API authentication as configured (before the deployment context is applied). */
export const ManagementAuthConfig = defineConfig('management.auth', {
  mode: envVar(
    'MANAGEMENT_AUTH',
    z.enum(['basic', 'none']).optional(),
    'basic (HTTP Basic against MANAGEMENT_USERS; the default) or none (only embedded mode on loopback)',
  ),
  users: envVar(
    'MANAGEMENT_USERS',
    z.string().optional(),
    'management API users: comma- or newline-separated user:bcrypt-hash entries',
    { sensitive: true },
  ),
});

export type ManagementAuthConfig = ConfigOf<typeof ManagementAuthConfig>;

/** A management API user: the name and the bcrypt hash of the password. */
export interface ManagementUser {
  readonly name: string;
  readonly hash: string;
}

/** The effective management API authentication. */
export type ManagementAuth =
  { readonly mode: 'basic'; readonly users: readonly ManagementUser[] } | { readonly mode: 'none' };

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
  const users: ManagementUser[] = [];
  const entries = (text ?? '')
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon) : '';
    const hash = colon > 0 ? entry.slice(colon + 1) : '';
    // Never echo the entry: it holds a password hash.
    if (name === '' || !BCRYPT_HASH.test(hash)) {
      problems.push(`${variable}: entry ${String(index + 1)} is not user:bcrypt-hash`);
    } else if (users.some((u) => u.name === name)) {
      problems.push(`${variable}: user ${name} is listed twice`);
    } else {
      users.push({ name, hash });
    }
  });
  return users;
}

/**
 * Applies the deployment context: `none` is refused unless the process is the embedded app bound to
 * loopback, where it is also the default as long as no users are configured. `basic` needs at least
 * one user.
 * @throws ConfigError listing every problem (never a hash).
 */
export function resolveManagementAuth(
  config: ManagementAuthConfig,
  context: ManagementAuthContext,
): ManagementAuth {
  const local = context.embeddedDevMode && isLoopback(context.host);
  // Users given means they are wanted, also on loopback.
  const mode = config.mode ?? (local && config.users === undefined ? 'none' : 'basic');
  if (mode === 'none') {
    if (!local) {
      throw new ConfigError([
        `MANAGEMENT_AUTH=none is only allowed for the embedded app bound to loopback (host is ${context.host})`,
      ]);
    }
    return { mode };
  }
  const problems: string[] = [];
  const users = parseUserList(config.users, 'MANAGEMENT_USERS', problems);
  if (problems.length === 0 && users.length === 0) {
    problems.push(
      'MANAGEMENT_USERS (or MANAGEMENT_USERS_FILE) is required when MANAGEMENT_AUTH=basic',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { mode, users };
}
