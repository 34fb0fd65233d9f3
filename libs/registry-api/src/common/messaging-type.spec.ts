import { DEFAULT_MESSAGING_TYPE, messagingTypeOf, MessagingTypeSchema } from './messaging-type';

describe(messagingTypeOf.name, () => {
  it('reads ext/messaging-type', () => {
    expect(messagingTypeOf({ 'messaging-type': 'amqp' })).toBe('amqp');
    expect(messagingTypeOf({ 'messaging-type': 'kafka' })).toBe('kafka');
  });

  it('returns undefined for absent or unsupported values', () => {
    expect(messagingTypeOf(undefined)).toBeUndefined();
    expect(messagingTypeOf({})).toBeUndefined();
    expect(messagingTypeOf({ 'messaging-type': 'pubsub' })).toBeUndefined();
  });
});

describe('MessagingTypeSchema', () => {
  it('knows amqp and kafka; kafka is the default', () => {
    expect(MessagingTypeSchema.options).toEqual(['amqp', 'kafka']);
    expect(DEFAULT_MESSAGING_TYPE).toBe('kafka');
  });
});
