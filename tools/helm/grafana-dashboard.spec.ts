import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// deploy/grafana/tessera-dashboard.json checked against the code: it must parse, every panel must
// query Prometheus, and every metric it queries must be one the services actually expose, derived
// from the OpenTelemetry instruments in the source, so that dashboard and code cannot drift apart.

const root = join(__dirname, '..', '..');
const DASHBOARD = join(root, 'deploy/grafana/tessera-dashboard.json');
const SOURCES = ['libs', 'services'];
const DS_UID = '${DS_PROMETHEUS}';

type InstrumentKind = 'counter' | 'upDownCounter' | 'histogram' | 'gauge';

/** The helpers of @tessera/telemetry and the OTel meter's own create* methods. */
const CREATORS: Record<string, InstrumentKind> = {
  counter: 'counter',
  observedCounter: 'counter',
  upDownCounter: 'upDownCounter',
  histogram: 'histogram',
  createCounter: 'counter',
  createObservableCounter: 'counter',
  createUpDownCounter: 'upDownCounter',
  createObservableUpDownCounter: 'upDownCounter',
  createHistogram: 'histogram',
  createGauge: 'gauge',
  createObservableGauge: 'gauge',
};
const INSTRUMENT_CALL = new RegExp(
  String.raw`\b(${Object.keys(CREATORS).join('|')})\(\s*(['"\x60])([^'"\x60]+)\2`,
  'g',
);

interface Instrument {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly file: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(
      (file) =>
        file.endsWith('.ts') &&
        !/\.(spec|test)\.ts$/.test(file) &&
        !/(^|\/)(node_modules|dist|lint-fixtures)\//.test(file),
    )
    .map((file) => join(dir, file));
}

/** Every instrument created with a literal name in the TypeScript sources (tests excluded). */
function instrumentsInSource(): Instrument[] {
  return SOURCES.flatMap((dir) => sourceFiles(join(root, dir))).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(INSTRUMENT_CALL)].map((m) => ({
      name: m[3]!,
      kind: CREATORS[m[1]!]!,
      file: relative(root, file),
    })),
  );
}

/**
 * The series names @opentelemetry/exporter-prometheus serializes an instrument as: invalid
 * characters (dots) become `_`, monotonic counters get `_total`, histograms `_bucket`, `_sum` and
 * `_count`. The unit is not appended: a histogram in seconds has no `_seconds` suffix.
 */
function prometheusNames(instrument: Pick<Instrument, 'name' | 'kind'>): string[] {
  const base = instrument.name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_{2,}/g, '_');
  switch (instrument.kind) {
    case 'counter':
      return [base.endsWith('_total') ? base : `${base}_total`];
    case 'histogram':
      return [`${base}_bucket`, `${base}_sum`, `${base}_count`];
    default:
      return [base];
  }
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects (Grafana variables allowed anywhere). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ') // Grafana variables
    .replace(/\boffset\s+\S+/g, ' ');
  const names: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const before = stripped[m.index - 1] ?? ' ';
    if (/[0-9.]/.test(before)) continue; // the exponent of a number such as 1e3
    if (
      stripped
        .slice(m.index + m[0].length)
        .trimStart()
        .startsWith('(')
    )
      continue; // a function
    if (PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

interface Target {
  readonly expr?: unknown;
  readonly refId?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}
interface Panel {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly gridPos?: { h: number; w: number; x: number; y: number };
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
}
interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
}
interface Dashboard {
  readonly title?: string;
  readonly uid?: string;
  readonly schemaVersion?: number;
  readonly panels: readonly Panel[];
  readonly templating?: { readonly list: readonly Variable[] };
}

/** Panels of the dashboard, those inside collapsed rows included; rows themselves left out. */
function panelsOf(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** PromQL of the dashboard: every target's expr and every `label_values(<expr>, label)` query. */
function expressions(dashboard: Dashboard): { where: string; expr: string }[] {
  const targets = panelsOf(dashboard).flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      where: `panel ${String(p.id)} "${p.title ?? ''}" ${t.refId ?? ''}`,
      expr: typeof t.expr === 'string' ? t.expr : '',
    })),
  );
  const variables = (dashboard.templating?.list ?? [])
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query =
        typeof v.query === 'string' ? v.query : ((v.query as { query?: string }).query ?? '');
      const inner = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/.exec(query)?.[1] ?? query;
      return { where: `variable ${v.name}`, expr: inner };
    });
  return [...targets, ...variables];
}

/** Metrics the dashboard queries that no instrument exposes, with where they are used. */
function unknownMetrics(dashboard: Dashboard, exposed: ReadonlySet<string>): string[] {
  return expressions(dashboard).flatMap(({ where, expr }) =>
    metricNames(expr)
      .filter((name) => !exposed.has(name))
      .map((name) => `${where}: ${name}`),
  );
}

/** Structural problems: panels without a Prometheus query, duplicate ids, no datasource variable. */
function structureProblems(dashboard: Dashboard): string[] {
  const problems: string[] = [];
  const datasource = dashboard.templating?.list.find((v) => v.name === 'DS_PROMETHEUS');
  if (datasource?.type !== 'datasource' || datasource.query !== 'prometheus')
    problems.push('no datasource variable DS_PROMETHEUS of type prometheus');
  const ids = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id);
  if (new Set(ids).size !== ids.length || ids.includes(undefined))
    problems.push(`panel ids missing or not unique: ${ids.join(',')}`);
  for (const panel of panelsOf(dashboard)) {
    const name = `panel ${String(panel.id)} "${panel.title ?? ''}"`;
    if (panel.gridPos === undefined) problems.push(`${name}: no gridPos`);
    if (panel.datasource?.uid !== DS_UID) problems.push(`${name}: datasource is not ${DS_UID}`);
    if ((panel.targets ?? []).length === 0) problems.push(`${name}: no targets`);
    for (const target of panel.targets ?? []) {
      if (typeof target.expr !== 'string' || target.expr.trim() === '')
        problems.push(`${name} ${target.refId ?? ''}: no expr`);
      else if (metricNames(target.expr).length === 0)
        problems.push(`${name} ${target.refId ?? ''}: queries no metric`);
      if (target.datasource !== undefined && target.datasource.uid !== DS_UID)
        problems.push(`${name} ${target.refId ?? ''}: datasource is not ${DS_UID}`);
    }
  }
  return problems;
}

describe('deploy/grafana/tessera-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const instruments = instrumentsInSource();
  const exposed = new Set(instruments.flatMap(prometheusNames));

  it('is a Grafana dashboard of schema version 39 or so, on a Prometheus datasource variable', () => {
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.schemaVersion).toBeLessThanOrEqual(41);
    expect(structureProblems(dashboard)).toEqual([]);
  });

  it('finds the instruments in the source', () => {
    // Guards against a scan that finds nothing (then every metric would look unknown anyway).
    expect(instruments.map((i) => `${i.kind} ${i.name}`)).toEqual(
      expect.arrayContaining([
        'counter tessera.provisioning.attempts',
        'histogram tessera.registry.request.duration',
        'upDownCounter hono.connections.authenticated',
      ]),
    );
  });

  it('queries only metrics the code exposes', () => {
    expect(unknownMetrics(dashboard, exposed)).toEqual([]);
  });

  it('covers provisioning, the adapters and the registry', () => {
    const used = new Set(expressions(dashboard).flatMap(({ expr }) => metricNames(expr)));
    const required = [
      'tessera_provisioning_attempts_total',
      'tessera_provisioning_notifications_delivered_total',
      'tessera_provisioning_notifications_failed_total',
      'tessera_provisioning_notifications_duplicates_total',
      'tessera_provisioning_notifications_relay_scanned_total',
      'tessera_notifications_published_total',
      'tessera_adapter_messages_total',
      'tessera_adapter_message_duration_bucket',
      'hono_connections_authenticated',
      'hono_connections_unauthenticated',
      'tessera_registry_requests_total',
      'tessera_registry_request_duration_bucket',
    ];
    expect(required.filter((name) => !used.has(name))).toEqual([]);
  });

  it('reads metric names out of PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, api) (rate(tessera_registry_request_duration_bucket{namespace=~"$namespace", status!~"5.."}[$__rate_interval]))) / on (api) group_left sum(x_total offset 5m) * 1e3 > bool 0',
      ),
    ).toEqual(['tessera_registry_request_duration_bucket', 'x_total']);
    expect(metricNames('sum(rate(a_total[5m])) by (tenant) and b')).toEqual(['a_total', 'b']);
  });

  it('maps instruments to Prometheus series as the exporter does', () => {
    expect(prometheusNames({ name: 'tessera.registry.requests', kind: 'counter' })).toEqual([
      'tessera_registry_requests_total',
    ]);
    expect(
      prometheusNames({ name: 'tessera.adapter.message.duration', kind: 'histogram' }),
    ).toEqual([
      'tessera_adapter_message_duration_bucket',
      'tessera_adapter_message_duration_sum',
      'tessera_adapter_message_duration_count',
    ]);
    expect(
      prometheusNames({ name: 'hono.connections.authenticated', kind: 'upDownCounter' }),
    ).toEqual(['hono_connections_authenticated']);
  });

  it('fails for metrics the code does not expose and for panels without a query (the checks can fail)', () => {
    const broken: Dashboard = {
      ...dashboard,
      panels: [
        {
          id: 9001,
          type: 'timeseries',
          title: 'drifted',
          datasource: { type: 'prometheus', uid: DS_UID },
          gridPos: { h: 8, w: 12, x: 0, y: 99 },
          targets: [
            {
              refId: 'A',
              // the unit is not part of the name, and the counter without its _total
              expr: 'histogram_quantile(0.99, sum by (le) (rate(tessera_adapter_message_duration_seconds_bucket[5m]))) + sum(rate(tessera_registry_requests[5m]))',
            },
          ],
        },
        { id: 9002, type: 'stat', title: 'empty', gridPos: { h: 4, w: 6, x: 0, y: 107 } },
      ],
    };
    expect(unknownMetrics(broken, exposed)).toEqual([
      'panel 9001 "drifted" A: tessera_adapter_message_duration_seconds_bucket',
      'panel 9001 "drifted" A: tessera_registry_requests',
    ]);
    expect(structureProblems(broken)).toEqual([
      `panel 9002 "empty": datasource is not ${DS_UID}`,
      'panel 9002 "empty": no targets',
    ]);
  });
});
