// Lint fixture: an app may not depend on a driver adapter lib, only on core/contract/nest libs.
import { KafkaSender } from '@tessera/messaging-kafka';

export const sender = new KafkaSender({ brokers: ['localhost:9092'], clientId: 'fixture' });
