import { createRegistry } from '../harness';
import { amqpRawRequestReplyBaseline } from './amqp-raw-request-reply';
import { httpPlainBaseline } from './http-plain';
import { kafkaEncodeScenario } from './kafka-encode';
import { kafkaRawProducerBaseline } from './kafka-raw-producer';
import { kafkaSenderScenario } from './kafka-sender';
import { registryAmqpScenario } from './registry-amqp';
import {
  deviceCreateScenario,
  deviceSearchScenario,
  pgRawInsertBaseline,
} from './registry-devices';
import { httpAdapterScenario } from './http-adapter';
import { mqttAdapterScenario, mqttMinimalBaseline } from './mqtt-adapter';

/** Every scenario, in run order; baselines are pulled in (and run first) when a filter skips them. */
export const registry = createRegistry([
  httpPlainBaseline(),
  amqpRawRequestReplyBaseline(1),
  amqpRawRequestReplyBaseline(100),
  kafkaRawProducerBaseline(1),
  kafkaRawProducerBaseline(100),
  kafkaSenderScenario(1),
  kafkaSenderScenario(100),
  kafkaEncodeScenario('kafkajs'),
  kafkaEncodeScenario('tessera'),
  pgRawInsertBaseline(),
  deviceCreateScenario('postgres'),
  deviceCreateScenario('mongodb'),
  deviceSearchScenario('postgres'),
  deviceSearchScenario('mongodb'),
  registryAmqpScenario('assert', 1),
  registryAmqpScenario('assert', 100),
  registryAmqpScenario('credentials-get', 1),
  registryAmqpScenario('credentials-get', 100),
  registryAmqpScenario('assert', 1, 'hit'),
  registryAmqpScenario('assert', 100, 'hit'),
  registryAmqpScenario('credentials-get', 1, 'hit'),
  registryAmqpScenario('credentials-get', 100, 'hit'),
  httpAdapterScenario(0),
  httpAdapterScenario(1),
  httpAdapterScenario(1, 'sampled'),
  httpAdapterScenario(1, 'full'),
  mqttMinimalBaseline('connect'),
  mqttMinimalBaseline('publish-qos0'),
  mqttMinimalBaseline('publish-qos1'),
  mqttAdapterScenario('connect'),
  mqttAdapterScenario('publish-qos0'),
  mqttAdapterScenario('publish-qos1'),
]);
