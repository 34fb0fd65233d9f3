import { runProgram } from './processes';

/** A Kafka record as kcat (a client nobody here wrote) printed it. */
export interface KcatRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly payload: string | null;
  /** Headers by name (the last value where a name repeats). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Reads a topic from the beginning to its current end with `kcat -C -J`.
 * @returns every record; an empty list when the topic does not exist yet.
 */
export async function kcatRead(brokers: readonly string[], topic: string): Promise<KcatRecord[]> {
  const result = await runProgram(
    'kcat',
    ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-J', '-q', '-m', '5'],
    { timeoutMs: 20_000 },
  );
  return result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const raw = JSON.parse(line) as {
        topic: string;
        partition: number;
        offset: number;
        key: string | null;
        payload: string | null;
        headers?: string[];
      };
      const headers: Record<string, string> = {};
      const list = raw.headers ?? [];
      for (let i = 0; i + 1 < list.length; i += 2) headers[list[i] ?? ''] = list[i + 1] ?? '';
      return {
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        key: raw.key,
        payload: raw.payload,
        headers,
      };
    });
}
