import { TenantIdSchema } from '../common/ids';
import { ClientError } from '../errors';
import { DownstreamAddress, DownstreamEndpoint } from './downstream-address';

const TENANT = TenantIdSchema.parse('DEFAULT_TENANT');

describe(DownstreamAddress.name, () => {
  it('formats AMQP addresses and Kafka topics', () => {
    expect(DownstreamAddress.telemetry(TENANT).toAmqpAddress()).toBe('telemetry/DEFAULT_TENANT');
    expect(DownstreamAddress.event(TENANT).toAmqpAddress()).toBe('event/DEFAULT_TENANT');
    expect(DownstreamAddress.telemetry(TENANT).toKafkaTopic()).toBe(
      'hono.telemetry.DEFAULT_TENANT',
    );
    expect(DownstreamAddress.event(TENANT).toKafkaTopic()).toBe('hono.event.DEFAULT_TENANT');
  });

  it('formats per messaging type', () => {
    const sut = DownstreamAddress.of(DownstreamEndpoint.EVENT, TENANT);
    expect(sut.format('amqp')).toBe('event/DEFAULT_TENANT');
    expect(sut.format('kafka')).toBe('hono.event.DEFAULT_TENANT');
  });

  it.each(['telemetry/DEFAULT_TENANT', 'event/my.tenant'])('round-trips AMQP %s', (address) => {
    expect(DownstreamAddress.fromAmqpAddress(address).toAmqpAddress()).toBe(address);
    expect(DownstreamAddress.parse(address, 'amqp').toAmqpAddress()).toBe(address);
  });

  it.each(['hono.telemetry.DEFAULT_TENANT', 'hono.event.my.dotted.tenant'])(
    'round-trips Kafka %s',
    (topic) => {
      expect(DownstreamAddress.fromKafkaTopic(topic).toKafkaTopic()).toBe(topic);
      expect(DownstreamAddress.parse(topic, 'kafka').toKafkaTopic()).toBe(topic);
    },
  );

  it('parses a dotted tenant from a Kafka topic', () => {
    const sut = DownstreamAddress.fromKafkaTopic('hono.event.my.dotted.tenant');
    expect(sut.endpoint).toBe('event');
    expect(sut.tenantId).toBe('my.dotted.tenant');
    expect(sut.equals(DownstreamAddress.fromAmqpAddress('event/my.dotted.tenant'))).toBe(true);
  });

  it.each(['telemetry', 'telemetry/', 'command/T', 'event/T/x', 'event/a b', 'hono.event.T'])(
    'rejects AMQP address %j',
    (address) => {
      expect(() => DownstreamAddress.fromAmqpAddress(address)).toThrow(ClientError);
    },
  );

  it.each(['hono.event.', 'hono.command.T', 'event/T', 'hono.telemetry.a/b', 'x.event.T'])(
    'rejects Kafka topic %j',
    (topic) => {
      expect(() => DownstreamAddress.fromKafkaTopic(topic)).toThrow(ClientError);
    },
  );
});
