import {
  context,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

import { isTracingEnabled } from './bootstrap-telemetry';
import { isPromiseLike } from './promise-like';

/** The tracer every Tessera span is created on. */
export const TRACER_NAME = 'tessera';

/** Span attribute keys shared by all services; the same tag names Hono's `TracingHelper` uses. */
export const SpanAttributes = {
  TENANT_ID: 'tenant_id',
  DEVICE_ID: 'device_id',
  AUTH_ID: 'auth_id',
  GATEWAY_ID: 'gateway_id',
  CREDENTIALS_TYPE: 'credentials_type',
  CACHE_HIT: 'cache_hit',
  QOS: 'qos',
  RESOURCE_VERSION: 'resource_version',
} as const;
export type SpanAttributeKey = (typeof SpanAttributes)[keyof typeof SpanAttributes];

export interface WithSpanOptions {
  /** Default `INTERNAL`; request handlers use `SERVER`/`CONSUMER`, senders `CLIENT`/`PRODUCER`. */
  readonly kind?: SpanKind;
  /** Parent context, e.g. from extractTraceContext(); default: the active context. */
  readonly parent?: Context;
  readonly links?: Link[];
}

const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Tracing off: the span the pass-through tracer would give, without making anything active. */
function passThroughSpan(parent: Context | undefined): Span {
  const spanContext = parent === undefined ? undefined : trace.getSpanContext(parent);
  return spanContext === undefined || !trace.isSpanContextValid(spanContext)
    ? NO_SPAN
    : trace.wrapSpanContext(spanContext);
}

/** Undefined values are dropped so that optional ids can be passed as they are. */
function definedOnly(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function fail(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.recordException(String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}

/**
 * Runs `fn` (sync or async) in a new active span and ends the span when `fn` returns or settles.
 * A thrown error or rejection is recorded on the span with status `ERROR`, then rethrown; on
 * success the status stays `UNSET`. Name spans like Hono does: `<operation> <API>`, e.g.
 * `get Tenant`, `assert Device Registration`. With tracing off the span is non-recording and
 * `fn` runs directly: no attributes are copied and no promise is wrapped (hot paths call this).
 */
export function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T,
  options: WithSpanOptions = {},
): T {
  if (!isTracingEnabled()) return fn(passThroughSpan(options.parent));
  const tracer = trace.getTracer(TRACER_NAME);
  const spanOptions = {
    kind: options.kind ?? SpanKind.INTERNAL,
    attributes: definedOnly(attributes),
    ...(options.links ? { links: options.links } : {}),
  };
  return tracer.startActiveSpan(name, spanOptions, options.parent ?? context.active(), (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      fail(span, error);
      span.end();
      throw error;
    }
    if (!isPromiseLike(result)) {
      span.end();
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        fail(span, error);
        span.end();
        throw error;
      },
    ) as T;
  });
}
