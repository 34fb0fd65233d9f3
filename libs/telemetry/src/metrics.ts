import {
  metrics,
  ValueType,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type UpDownCounter,
} from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';

import { isPromiseLike } from './promise-like';

/** The one meter every Tessera instrument is created on. */
export const METER_NAME = 'tessera';

/** Bucket boundaries for durations in seconds (OTel semantic-conventions advice). */
export const DURATION_SECONDS_BOUNDARIES: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

// The metrics API has no proxy provider: an instrument created on the no-op meter stays no-op even
// after bootstrapTelemetry() registers the SDK. Imports are hoisted above main.ts's first line, so
// module-level `const x = counter(...)` would run first. Each helper therefore resolves its
// instrument on first use, and again whenever the global meter provider changes.
function lazy<T>(create: (meter: Meter) => T): () => T {
  let provider: MeterProvider | undefined;
  let instrument: T | undefined;
  return () => {
    const current = metrics.getMeterProvider();
    if (instrument === undefined || current !== provider) {
      provider = current;
      instrument = create(current.getMeter(METER_NAME));
    }
    return instrument;
  };
}

/** A monotonic counter (`<name>_total` in Prometheus), e.g. provisioning attempts. */
export function counter(name: string, description: string, unit?: string): Counter {
  const get = lazy((m) => m.createCounter(name, { description, unit, valueType: ValueType.INT }));
  return {
    add: (value: number, attributes?: Attributes, context?: Context) => {
      get().add(value, attributes, context);
    },
  };
}

/** A counter that may go down, e.g. open connections. */
export function upDownCounter(name: string, description: string, unit?: string): UpDownCounter {
  const get = lazy((m) =>
    m.createUpDownCounter(name, { description, unit, valueType: ValueType.INT }),
  );
  return {
    add: (value: number, attributes?: Attributes, context?: Context) => {
      get().add(value, attributes, context);
    },
  };
}

/** Reports the current totals of an {@link observedCounter}: one call per attribute set. */
export type CounterObserver = (report: (total: number, attributes: Attributes) => void) => void;

// Meter provider each observed counter is registered on, by name.
const observedOn = new Map<string, MeterProvider>();

/**
 * A monotonic counter whose totals the caller keeps (plain numbers) and `observe` reports when
 * metrics are collected. For the hottest paths: a synchronous counter hashes its attributes on
 * every `add`, which cost a registry cache hit more than the lookup itself.
 *
 * Registers on the current meter provider; calling it again with the same name does nothing until
 * the provider changes (call it where the things it observes are created, after
 * bootstrapTelemetry()). `observe` should report every series of the name.
 */
export function observedCounter(
  name: string,
  description: string,
  observe: CounterObserver,
  unit?: string,
): void {
  const provider = metrics.getMeterProvider();
  if (observedOn.get(name) === provider) return;
  observedOn.set(name, provider);
  provider
    .getMeter(METER_NAME)
    .createObservableCounter(name, { description, unit, valueType: ValueType.INT })
    .addCallback((result) => {
      observe((total, attributes) => {
        result.observe(total, attributes);
      });
    });
}

/**
 * A histogram. Durations use unit `s` (what {@link timed} records); without explicit
 * boundaries a histogram in seconds gets {@link DURATION_SECONDS_BOUNDARIES}.
 */
export function histogram(
  name: string,
  description: string,
  unit: string,
  boundaries?: readonly number[],
): Histogram {
  const buckets = boundaries ?? (unit === 's' ? DURATION_SECONDS_BOUNDARIES : undefined);
  const get = lazy((m) =>
    m.createHistogram(name, {
      description,
      unit,
      valueType: ValueType.DOUBLE,
      ...(buckets ? { advice: { explicitBucketBoundaries: [...buckets] } } : {}),
    }),
  );
  return {
    record: (value: number, attributes?: Attributes, context?: Context) => {
      get().record(value, attributes, context);
    },
  };
}

function errorType(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  return error.constructor.name || error.name;
}

/**
 * Runs `fn` (sync or async) and records its duration in seconds on `histogram`. A failure adds
 * the `error.type` attribute (the error's class name) and is rethrown.
 */
export function timed<T>(histogram: Histogram, attributes: Attributes, fn: () => T): T {
  const start = process.hrtime.bigint();
  const record = (failure?: { error: unknown }): void => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    histogram.record(
      seconds,
      failure ? { ...attributes, [ATTR_ERROR_TYPE]: errorType(failure.error) } : attributes,
    );
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    record({ error });
    throw error;
  }
  if (!isPromiseLike(result)) {
    record();
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      record();
      return value;
    },
    (error: unknown) => {
      record({ error });
      throw error;
    },
  ) as T;
}
