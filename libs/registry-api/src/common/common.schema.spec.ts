import { Base64Schema, DateTimeSchema, formatHonoTimestamp } from './common.schema';

describe(formatHonoTimestamp.name, () => {
  it('writes UTC with second precision, like @HonoTimestamp', () => {
    expect(formatHonoTimestamp(new Date('2026-01-31T12:34:56.789Z'))).toBe('2026-01-31T12:34:56Z');
  });
});

describe('DateTimeSchema', () => {
  it.each(['2021-07-19T17:36:55+02:00', '2027-12-24T19:00:00Z', '2027-12-24T19:00:00.5Z'])(
    'accepts %s',
    (value) => {
      expect(DateTimeSchema.parse(value)).toBe(value);
    },
  );

  it.each(['2027-12-24', '2027-12-24T19:00:00', 'yesterday'])('rejects %s', (value) => {
    expect(DateTimeSchema.safeParse(value).success).toBe(false);
  });
});

describe('Base64Schema', () => {
  it('accepts padded Base64 and rejects anything else', () => {
    expect(Base64Schema.safeParse('Y29hcC1zZWNyZXQ=').success).toBe(true);
    expect(Base64Schema.safeParse('not base64!').success).toBe(false);
  });
});
