import { fromKafkaMessage, toKafkaHeaders } from './kafka-headers.codec';

describe('kafka headers codec', () => {
  it('writes properties, content-type and ttl (milliseconds, Hono’s Kafka API) as string headers', () => {
    const sut = toKafkaHeaders({
      contentType: 'application/json',
      ttlMs: 1500,
      properties: { device_id: 'd1', qos: 1, flag: true },
    });
    expect(sut).toEqual({
      device_id: 'd1',
      qos: '1',
      flag: 'true',
      'content-type': 'application/json',
      ttl: '1500',
    });
  });

  it('reads headers, key and value back', () => {
    const sut = fromKafkaMessage('hono.event.t', {
      key: Buffer.from('d1'),
      value: Buffer.from('x'),
      headers: { 'content-type': Buffer.from('text/plain'), tenant_id: Buffer.from('t') },
      timestamp: '0',
      attributes: 0,
      offset: '0',
    });
    expect(sut).toMatchObject({ source: 'hono.event.t', key: 'd1', contentType: 'text/plain' });
    expect(sut.properties).toEqual({ 'content-type': 'text/plain', tenant_id: 't' });
    expect(sut.body?.toString()).toBe('x');
  });
});
