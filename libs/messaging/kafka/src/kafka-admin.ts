import { createKafka, type KafkaConnectionOptions } from './kafka.config';
import { translateKafkaError } from './kafka-error.translator';

/**
 * Creates topics that do not exist yet (idempotent); resolves once their leaders are known.
 * Without `partitions` the broker's defaults (`num.partitions`, `default.replication.factor`) apply.
 */
export async function ensureTopics(
  options: KafkaConnectionOptions,
  topics: readonly string[],
  partitions?: number,
): Promise<void> {
  const admin = createKafka(options).admin();
  try {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) =>
        partitions === undefined ? { topic } : { topic, numPartitions: partitions },
      ),
    });
  } catch (e) {
    throw translateKafkaError(e);
  } finally {
    await admin.disconnect();
  }
}

/** The committed offset of a group on partition 0 of a topic, or -1 if none. */
export async function committedOffset(
  options: KafkaConnectionOptions,
  groupId: string,
  topic: string,
): Promise<number> {
  const admin = createKafka(options).admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const partition = offsets[0]?.partitions.find((p) => p.partition === 0);
    return partition ? Number(partition.offset) : -1;
  } finally {
    await admin.disconnect();
  }
}
