import { Kafka, logLevel } from 'kafkajs';

import { createKafka, kafkaClientConfig } from './kafka.config';

describe(kafkaClientConfig.name, () => {
  const base = { brokers: ['k:9092'], clientId: 'c' };

  it('logs nothing (never a message, password or key) and copies the brokers', () => {
    const config = kafkaClientConfig(base);
    expect(config).toMatchObject({
      clientId: 'c',
      brokers: ['k:9092'],
      logLevel: logLevel.NOTHING,
    });
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('passes TLS and SASL through as given', () => {
    expect(kafkaClientConfig({ ...base, ssl: true }).ssl).toBe(true);
    expect(kafkaClientConfig({ ...base, ssl: false }).ssl).toBeUndefined();
    const tls = { ca: 'CA', cert: 'CERT', key: 'KEY', rejectUnauthorized: true };
    const sasl = { mechanism: 'scram-sha-256' as const, username: 'u', password: 'p' };
    const config = kafkaClientConfig({ ...base, ssl: tls, sasl });
    expect(config.ssl).toEqual(tls);
    expect(config.sasl).toEqual(sasl);
  });

  it('builds the client every producer, consumer and admin uses', () => {
    expect(createKafka(base)).toBeInstanceOf(Kafka);
  });
});
