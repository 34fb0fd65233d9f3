// Lint fixture: an app may not use a driver directly (see tools/lint/module-boundaries.spec.ts).
import { Kafka } from 'kafkajs';

export const kafka = new Kafka({ brokers: ['localhost:9092'] });
