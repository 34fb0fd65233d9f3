import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '@tessera/config';
import type { ReceivedMessage } from '@tessera/messaging';
import {
  ensureTopics,
  KafkaConsumer,
  type KafkaConnectionOptions,
  KafkaProbe,
  KafkaSender,
} from '@tessera/messaging-kafka';
import { freePort, runProgram, type TestCertificate, TestPki, uniqueId } from '@tessera/testing';

import { KafkaConfig } from './messaging.config';
import { kafkaOptions } from './messaging.module';

/*
 * KAFKA_SASL_* and KAFKA_TLS_* against a real broker of this test's own (the Kafka that
 * deploy/local/infra.sh installed, started here with other listeners): SASL PLAIN, SCRAM-SHA-256
 * and SCRAM-SHA-512 over TLS with a CA of its own, and TLS with a required client certificate.
 * Each client is built the way the services build theirs: loadConfig(KafkaConfig) → kafkaOptions →
 * admin, producer, consumer and readiness probe.
 */

const ROOT = join(__dirname, '..', '..', '..', '..');
const USER = 'alice';
const PASSWORD = `alice-${randomBytes(6).toString('hex')}`;

/** Where infra.sh keeps the Kafka jars (its kafka_libs_dir). */
function kafkaLibs(): string {
  const cache = process.env['TESSERA_CACHE'] ?? join(homedir(), '.cache', 'tessera');
  const version = process.env['TESSERA_KAFKA_VERSION'] ?? '3.9.1';
  const pom = readFileSync(join(ROOT, 'deploy/local/maven/kafka/pom.xml'));
  const sha12 = createHash('sha256').update(pom).digest('hex').slice(0, 12);
  return join(cache, 'kafka', `${version}-${sha12}`, 'libs');
}

interface Broker {
  readonly saslSsl: string;
  readonly ssl: string;
  readonly plain: string;
  readonly dir: string;
  readonly process: ChildProcess;
  log(): string;
}

async function startBroker(server: TestCertificate, clientCa: TestCertificate): Promise<Broker> {
  const libs = kafkaLibs();
  if (!existsSync(libs)) throw new Error(`no Kafka in ${libs}: run deploy/local/infra.sh install`);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-kafka-sec-'));
  mkdirSync(join(dir, 'data'));
  const [plain, saslSsl, ssl, controller] = await Promise.all(
    Array.from({ length: 4 }, () => freePort()),
  );
  writeFileSync(join(dir, 'server.pem'), `${server.keyPem}\n${server.certPem}`);
  const at = (port: number | undefined): string => `127.0.0.1:${String(port)}`;
  const properties = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${at(controller)}`,
    `listeners=PLAINTEXT://${at(plain)},SASL_SSL://${at(saslSsl)},SSL://${at(ssl)},CONTROLLER://${at(controller)}`,
    `advertised.listeners=PLAINTEXT://${at(plain)},SASL_SSL://${at(saslSsl)},SSL://${at(ssl)}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${USER}="${PASSWORD}";`,
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${join(dir, 'server.pem')}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${clientCa.certFile}`,
    'listener.name.ssl.ssl.client.auth=required',
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'auto.create.topics.enable=true',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    '',
  ];
  writeFileSync(join(dir, 'server.properties'), properties.join('\n'));
  writeFileSync(
    join(dir, 'log4j.properties'),
    'log4j.rootLogger=WARN, stdout\n' +
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n' +
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n' +
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n' +
      'log4j.logger.kafka.server.KafkaRaftServer=INFO\n',
  );
  const java = [
    '-Xmx256m',
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    `-Djava.io.tmpdir=${dir}`,
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    `${libs}/*`,
  ];
  // KRaft storage with the SCRAM credentials (as `kafka-storage format --add-scram`).
  const clusterId = randomBytes(16).toString('base64url');
  const format = await runProgram(
    'java',
    [
      ...java,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      join(dir, 'server.properties'),
      '--add-scram',
      `SCRAM-SHA-256=[name=${USER},password=${PASSWORD}]`,
      '--add-scram',
      `SCRAM-SHA-512=[name=${USER},password=${PASSWORD}]`,
    ],
    { timeoutMs: 120_000 },
  );
  if (format.code !== 0)
    throw new Error(`kafka-storage format failed:\n${format.stdout}${format.stderr}`);
  let log = '';
  // Its own process group, so that afterAll ends the JVM and nothing else.
  const child = spawn('java', [...java, 'kafka.Kafka', join(dir, 'server.properties')], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const broker = {
    plain: at(plain),
    saslSsl: at(saslSsl),
    ssl: at(ssl),
    dir,
    process: child,
    log: () => log,
  };
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Kafka exited:\n${log}`);
    try {
      await ensureTopics(
        { brokers: [broker.plain], clientId: 'ready', connectionTimeoutMs: 1_000 },
        ['ready'],
      );
      return broker;
    } catch {
      if (Date.now() > deadline) throw new Error(`Kafka did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

function stopBroker(broker: Broker | undefined): Promise<void> {
  if (broker?.process.pid === undefined || broker.process.exitCode !== null)
    return Promise.resolve();
  const exited = new Promise<void>((resolve) => {
    broker.process.once('exit', () => {
      resolve();
    });
  });
  process.kill(-broker.process.pid, 'SIGKILL');
  return exited;
}

/** The connection options a service builds from these variables. */
function optionsFrom(env: Record<string, string>): KafkaConnectionOptions {
  const options = kafkaOptions(loadConfig({ kafka: KafkaConfig }, env).kafka);
  if (options === undefined) throw new Error('no brokers');
  return { ...options, connectionTimeoutMs: 3_000, requestTimeoutMs: 5_000 };
}

/** Creates a topic, sends one record and reads it back with a consumer group, all with `options`. */
async function roundTrip(options: KafkaConnectionOptions): Promise<string> {
  const topic = uniqueId('hono.event.secured');
  await ensureTopics(options, [topic]);
  const sender = new KafkaSender(options, 10_000);
  const consumer = new KafkaConsumer(options, uniqueId('secured'));
  try {
    await sender.start();
    await sender.send(topic, { key: 'dev', body: Buffer.from('over TLS') }, { awaitAck: true });
    const received = await new Promise<ReceivedMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('nothing received'));
      }, 30_000);
      void consumer
        .subscribe(
          topic,
          async (m) => {
            clearTimeout(timer);
            resolve(m);
          },
          { fromBeginning: true },
        )
        .catch(reject);
    });
    return received.body?.toString() ?? '';
  } finally {
    await consumer.stop().catch(() => undefined);
    await sender.stop().catch(() => undefined);
  }
}

describe('Kafka with SASL and TLS (KAFKA_SASL_*, KAFKA_TLS_*)', () => {
  jest.setTimeout(240_000);
  const pki = new TestPki();
  let server: TestCertificate;
  let clientCa: TestCertificate;
  let client: TestCertificate;
  let stranger: TestCertificate;
  let broker: Broker | undefined;
  let passwordFile = '';

  beforeAll(async () => {
    [server, clientCa] = await Promise.all([
      pki.selfSigned('kafka', '/CN=localhost', { server: true }),
      pki.selfSigned('kafka-clients', '/CN=Kafka clients'),
    ]);
    const strangerCa = await pki.selfSigned('strangers', '/CN=Strangers');
    [client, stranger] = await Promise.all([
      pki.issue(clientCa, 'tessera', '/CN=tessera'),
      pki.issue(strangerCa, 'stranger', '/CN=tessera'),
    ]);
    passwordFile = join(pki.dir, 'kafka-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    broker = await startBroker(server, clientCa);
  }, 240_000);

  afterAll(async () => {
    await stopBroker(broker);
    if (broker) rmSync(broker.dir, { recursive: true, force: true });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])(
    'produces, consumes and creates topics with SASL %s over TLS, the CA and password from files',
    async (mechanism) => {
      const options = optionsFrom({
        KAFKA_BROKERS: broker!.saslSsl,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: USER,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
        KAFKA_TLS_CA_FILE: server.certFile,
      });
      expect(options.ssl).toMatchObject({ rejectUnauthorized: true });
      expect(await roundTrip(options)).toBe('over TLS');
      expect(await new KafkaProbe(options.brokers).isReachable()).toBe(true);
    },
  );

  it('authenticates with a client certificate where the broker requires one', async () => {
    const options = optionsFrom({
      KAFKA_BROKERS: broker!.ssl,
      KAFKA_TLS_CA_FILE: server.certFile,
      KAFKA_TLS_CERT_FILE: client.certFile,
      KAFKA_TLS_KEY_FILE: client.keyFile,
    });
    expect(await roundTrip(options)).toBe('over TLS');
    expect(await new KafkaProbe(options.brokers).isReachable()).toBe(true);
  });

  it('fails with a wrong password (PLAIN, SCRAM), without a client certificate or with another CA’s', async () => {
    const sasl = {
      KAFKA_BROKERS: broker!.saslSsl,
      KAFKA_SASL_USERNAME: USER,
      KAFKA_SASL_PASSWORD: 'wrong',
      KAFKA_TLS_CA_FILE: server.certFile,
    };
    await expect(
      roundTrip(optionsFrom({ ...sasl, KAFKA_SASL_MECHANISM: 'scram-sha-512' })),
    ).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    await expect(
      roundTrip(optionsFrom({ ...sasl, KAFKA_SASL_MECHANISM: 'plain' })),
    ).rejects.toThrow(/SASL PLAIN authentication failed/);
    const mtls = { KAFKA_BROKERS: broker!.ssl, KAFKA_TLS_CA_FILE: server.certFile };
    await expect(roundTrip(optionsFrom(mtls))).rejects.toThrow(/Kafka: Connection error/);
    await expect(
      roundTrip(
        optionsFrom({
          ...mtls,
          KAFKA_TLS_CERT_FILE: stranger.certFile,
          KAFKA_TLS_KEY_FILE: stranger.keyFile,
        }),
      ),
    ).rejects.toThrow(/certificate unknown/);
  });

  it('verifies the broker: without its CA only KAFKA_TLS_REJECT_UNAUTHORIZED=false connects', async () => {
    const env = {
      KAFKA_BROKERS: broker!.saslSsl,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: USER,
      KAFKA_SASL_PASSWORD: PASSWORD,
      KAFKA_TLS: 'true',
    };
    await expect(roundTrip(optionsFrom(env))).rejects.toThrow(/self-signed certificate/);
    await expect(
      roundTrip(optionsFrom({ ...env, KAFKA_TLS_CA_FILE: clientCa.certFile })),
    ).rejects.toThrow(/certificate/);
    expect(await roundTrip(optionsFrom({ ...env, KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' }))).toBe(
      'over TLS',
    );
  });
});
