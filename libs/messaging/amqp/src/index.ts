export * from './amqp-connection';
export * from './amqp-message.codec';
export * from './amqp-receiver';
export * from './amqp-request-response.client';
export * from './amqp-sender';
export * from './amqp-server';
export * from './amqp-northbound';
