import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { AlwaysOffSampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';

import { SAMPLING_MODE_ATTRIBUTE, samplingModeOf, TenantSamplingSampler } from './sampling';

describe(samplingModeOf.name, () => {
  it('takes the auth-id’s mode, else the tenant’s, else default', () => {
    const tracing = { 'sampling-mode': 'none', 'sampling-mode-per-auth-id': { vip: 'all' } };
    expect(samplingModeOf(tracing, 'vip')).toBe('all');
    expect(samplingModeOf(tracing, 'other')).toBe('none');
    expect(samplingModeOf(undefined, 'vip')).toBe('default');
    expect(samplingModeOf({ 'sampling-mode': 'bogus' }, undefined)).toBe('default');
  });
});

describe(TenantSamplingSampler.name, () => {
  const sampler = new TenantSamplingSampler(new AlwaysOffSampler());
  const decide = (mode?: string): SamplingDecision =>
    sampler.shouldSample(
      ROOT_CONTEXT,
      '0af7651916cd43dd8448eb211c80319c',
      'upload telemetry',
      SpanKind.SERVER,
      mode === undefined ? {} : { [SAMPLING_MODE_ATTRIBUTE]: mode },
      [],
    ).decision;

  it('samples "all", drops "none" and asks the default sampler otherwise', () => {
    expect(decide('all')).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide('none')).toBe(SamplingDecision.NOT_RECORD);
    expect(decide('default')).toBe(SamplingDecision.NOT_RECORD);
    expect(decide()).toBe(SamplingDecision.NOT_RECORD);
  });
});
