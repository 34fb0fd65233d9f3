import {
  context,
  propagation,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

import { isTracingEnabled } from './bootstrap-telemetry';

/**
 * A transport-neutral carrier: AMQP 1.0 application properties or Kafka headers, both flat maps.
 * The W3C propagator writes `traceparent` (and `tracestate`/`baggage` when present) as strings.
 */
export type TraceCarrier = Record<string, string | number | boolean>;

/** What extraction reads: any flat map; non-string values are ignored, bytes are read as UTF-8. */
export type ReadonlyTraceCarrier = Readonly<Record<string, unknown>>;

const setter: TextMapSetter<TraceCarrier> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<ReadonlyTraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    // kafkajs hands headers over as Buffers.
    if (value instanceof Uint8Array) {
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    }
    return undefined;
  },
};

/**
 * Writes the trace context of `ctx` (default: the active context) into `carrier` with the global
 * propagator (W3C trace context + baggage) and returns the carrier. Writes nothing when there is
 * no valid span context, e.g. outside any span with tracing off.
 */
export function injectTraceContext<C extends TraceCarrier>(
  carrier: C,
  ctx: Context = context.active(),
): C {
  propagation.inject(ctx, carrier, setter);
  return carrier;
}

/**
 * Reads a remote trace context from `carrier` into a new context based on `base` (default: the
 * active context). Pass the result as `parent` to withSpan(). A carrier without (or with an
 * invalid) `traceparent` yields `base` unchanged, and so does any carrier with tracing off (no
 * span could use it, and nothing is passed on then).
 */
export function extractTraceContext(
  carrier: ReadonlyTraceCarrier,
  base: Context = context.active(),
): Context {
  return isTracingEnabled() ? propagation.extract(base, carrier, getter) : base;
}

/** Runs `fn` with `ctx` active (e.g. a device's extracted trace context before any span exists). */
export function inContext<T>(ctx: Context, fn: () => T): T {
  return isTracingEnabled() ? context.with(ctx, fn) : fn();
}
