import { ClientError } from '../errors';
import { NotificationAddress, NotificationTopic } from './notification-topic';

describe(NotificationTopic.name, () => {
  it('formats the registry notification topics', () => {
    expect(NotificationTopic.REGISTRY_TENANT.toKafkaTopic()).toBe(
      'hono.notification.registry-tenant',
    );
    expect(NotificationTopic.REGISTRY_DEVICE.toKafkaTopic()).toBe(
      'hono.notification.registry-device',
    );
    expect(NotificationTopic.REGISTRY_TENANT.toAmqpAddress()).toBe('notification/registry-tenant');
    expect(NotificationTopic.REGISTRY_DEVICE.format('amqp')).toBe('notification/registry-device');
    expect(NotificationTopic.REGISTRY_DEVICE.format('kafka')).toBe(
      'hono.notification.registry-device',
    );
  });

  it.each(Object.values(NotificationAddress))('round-trips %s', (address) => {
    const sut = NotificationTopic.of(address);
    expect(NotificationTopic.fromKafkaTopic(sut.toKafkaTopic())).toBe(sut);
    expect(NotificationTopic.fromAmqpAddress(sut.toAmqpAddress())).toBe(sut);
    expect(NotificationTopic.parse(sut.format('kafka'), 'kafka').equals(sut)).toBe(true);
  });

  it.each([
    'hono.notification.registry-other',
    'hono.notification.',
    'hono.event.registry-device',
    'notification/registry-device',
  ])('rejects Kafka topic %j', (topic) => {
    expect(() => NotificationTopic.fromKafkaTopic(topic)).toThrow(ClientError);
  });

  it.each(['notification/', 'notification/registry-tenant/x', 'hono.notification.registry-tenant'])(
    'rejects AMQP address %j',
    (address) => {
      expect(() => NotificationTopic.fromAmqpAddress(address)).toThrow(ClientError);
    },
  );
});
