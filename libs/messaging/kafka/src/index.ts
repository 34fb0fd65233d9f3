export * from './kafka.config';
export * from './kafka-admin';
export * from './kafka-probe';
export * from './kafka-consumer';
export * from './kafka-error.translator';
export * from './kafka-headers.codec';
export * from './kafka-sender';
export {
  installProduceEncoder,
  kafkajsProduceRequest,
  produceRequest,
  type ProduceRequestInput,
} from './produce-encoder';
