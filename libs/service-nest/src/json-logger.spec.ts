import { trace, TraceFlags } from '@opentelemetry/api';

import { JsonLogger } from './json-logger';

describe(JsonLogger.name, () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('writes one JSON object per line, warnings and errors to stderr, filtered by level', () => {
    const logger = new JsonLogger(['error', 'warn', 'log']);
    logger.log('started', 'Main');
    logger.warn('slow', 'Relay');
    logger.error('failed', 'stack-trace', 'Relay');
    logger.debug('hidden', 'Main');
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({
      level: 'log',
      context: 'Main',
      message: 'started',
    });
    expect(err.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'warn', context: 'Relay', message: 'slow' }),
      expect.objectContaining({
        level: 'error',
        context: 'Relay',
        message: 'failed',
        stack: 'stack-trace',
      }),
    ]);
  });

  it('adds the active trace and span ids', () => {
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    });
    jest.spyOn(trace, 'getActiveSpan').mockReturnValue(span);
    new JsonLogger().log('inside', 'Test');
    expect(JSON.parse(out[0] ?? '')).toMatchObject({
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
    });
  });
});
