import { Qos, QosHeaderSchema, QosSchema } from './qos';

describe('QosSchema', () => {
  it('accepts 0 and 1 only', () => {
    expect(QosSchema.parse(0)).toBe(Qos.AT_MOST_ONCE);
    expect(QosSchema.parse(1)).toBe(Qos.AT_LEAST_ONCE);
    expect(QosSchema.safeParse(2).success).toBe(false);
    expect(QosSchema.safeParse('1').success).toBe(false);
  });
});

describe('QosHeaderSchema', () => {
  it('parses header strings and numbers', () => {
    expect(QosHeaderSchema.parse('0')).toBe(0);
    expect(QosHeaderSchema.parse('1')).toBe(1);
    expect(QosHeaderSchema.parse(1)).toBe(1);
  });

  it.each(['2', '', 'one', 2])('rejects %j', (value) => {
    expect(QosHeaderSchema.safeParse(value).success).toBe(false);
  });
});
