import { DataVolumeMeter, periodStart } from './data-volume.meter';

const at = (iso: string): number => Date.parse(iso);

describe(periodStart.name, () => {
  it('starts monthly periods on the 1st (UTC), the first one at effective-since', () => {
    const limit = { 'effective-since': '2026-03-15T10:00:00Z', 'max-bytes': 10 };
    expect(periodStart(limit, at('2026-03-20T00:00:00Z'))).toBe(at('2026-03-15T10:00:00Z'));
    expect(periodStart(limit, at('2026-05-02T00:00:00Z'))).toBe(at('2026-05-01T00:00:00Z'));
    expect(periodStart(limit, at('2026-03-01T00:00:00Z'))).toBeUndefined();
  });

  it('counts days periods from effective-since', () => {
    const limit = {
      'effective-since': '2026-01-01T00:00:00Z',
      'max-bytes': 10,
      period: { mode: 'days' as const, 'no-of-days': 10 },
    };
    expect(periodStart(limit, at('2026-01-25T12:00:00Z'))).toBe(at('2026-01-21T00:00:00Z'));
  });
});

describe(DataVolumeMeter.name, () => {
  it('refuses with 429 what would exceed max-bytes, and starts afresh in the next period', () => {
    let now = at('2026-03-20T00:00:00Z');
    const meter = new DataVolumeMeter(() => now);
    const limit = { 'effective-since': '2026-03-01T00:00:00Z', 'max-bytes': 100 };
    meter.check('t', limit, 60);
    meter.record('t', limit, 60);
    let refused: unknown;
    try {
      meter.check('t', limit, 41);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ status: 429, code: 'TENANT.DATA_VOLUME_EXCEEDED' });
    meter.check('t', limit, 40);
    meter.check('other', limit, 100);
    now = at('2026-04-01T00:00:00Z');
    meter.check('t', limit, 100);
  });

  it('ignores tenants without a limit or with -1', () => {
    const meter = new DataVolumeMeter();
    meter.check('t', undefined, 1e9);
    meter.check('t', { 'effective-since': '2020-01-01T00:00:00Z', 'max-bytes': -1 }, 1e9);
  });
});
