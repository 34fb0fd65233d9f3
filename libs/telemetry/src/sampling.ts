import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/**
 * The span attribute through which a caller overrides the sampling decision for one span (and,
 * through parent-based sampling, its whole trace): Hono's per-tenant `tracing.sampling-mode`.
 * `all` records and samples, `none` drops, anything else leaves the decision to the default
 * sampler.
 */
export const SAMPLING_MODE_ATTRIBUTE = 'tessera.sampling_mode';

/** `all`, `none` or `default`, as a tenant's `tracing` object names them. */
export type SamplingMode = 'all' | 'none' | 'default';

/**
 * Hono's sampling mode of a device: its `sampling-mode-per-auth-id` entry, else the tenant's
 * `sampling-mode`, else `default`.
 */
export function samplingModeOf(
  tracing:
    | { 'sampling-mode'?: string; 'sampling-mode-per-auth-id'?: Readonly<Record<string, string>> }
    | undefined,
  authId: string | undefined,
): SamplingMode {
  const mode =
    (authId === undefined ? undefined : tracing?.['sampling-mode-per-auth-id']?.[authId]) ??
    tracing?.['sampling-mode'];
  return mode === 'all' || mode === 'none' ? mode : 'default';
}

/** Honours {@link SAMPLING_MODE_ATTRIBUTE} on a new span, and asks `delegate` otherwise. */
export class TenantSamplingSampler implements Sampler {
  constructor(private readonly delegate: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const mode = attributes[SAMPLING_MODE_ATTRIBUTE];
    if (mode === 'all') return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    if (mode === 'none') return { decision: SamplingDecision.NOT_RECORD };
    return this.delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `TenantSamplingSampler{${this.delegate.toString()}}`;
  }
}
