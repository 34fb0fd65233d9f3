import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a user or script needs to talk to a running suite (written to `.tessera/endpoints.json`). */
export interface Endpoints {
  readonly pid: number;
  readonly startedAt: string;
  readonly management: {
    readonly url: string;
    /** The tenant management API. */
    readonly tenants: string;
    readonly devices: string;
    readonly credentials: string;
    /** `none` (loopback only) or `required` (HTTP Basic users and/or bearer JWTs). */
    readonly auth: 'none' | 'required';
  };
  readonly health: {
    readonly liveness: string;
    readonly readiness: string;
    readonly metrics: string;
  };
  readonly store: { readonly driver: string; readonly location: string };
  /** The tenant created for trying things out, if any. */
  readonly demoTenant?: string | undefined;
  /** The device-facing protocol adapters (absent when TESSERA_ADAPTERS=false). */
  readonly adapters: {
    readonly http?: string | undefined;
    readonly https?: string | undefined;
    readonly mqtt?: string | undefined;
    readonly mqtts?: string | undefined;
    /** The self-signed certificate of the TLS ports, when none was configured (trust it). */
    readonly tlsCertificate?: string | undefined;
  };
  /** How a backend consumes telemetry, events and provisioning notifications. */
  readonly messaging:
    | {
        readonly type: 'kafka';
        readonly brokers: readonly string[];
        readonly telemetry: string;
        readonly event: string;
      }
    | {
        readonly type: 'amqp';
        readonly url: string;
        readonly telemetry: string;
        readonly event: string;
        readonly note: string;
      };
  /** The registry's AMQP 1.0 endpoint (Hono's southbound APIs). */
  readonly registry: {
    readonly amqp: string;
    /** `anonymous` (loopback only) or `sasl-plain` (users from AMQP_USERS). */
    readonly auth: 'anonymous' | 'sasl-plain';
    readonly addresses: readonly string[];
  };
}

/** Writes the file atomically, so a reader never sees half of it. */
export function writeEndpoints(file: string, endpoints: Endpoints): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${String(process.pid)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(endpoints, null, 2)}\n`);
  renameSync(tmp, file);
}
