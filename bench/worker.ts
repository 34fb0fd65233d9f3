import { parentPort, workerData } from 'node:worker_threads';

import type { Measurement } from './harness';

interface Job {
  modulePath: string;
  exportName: string;
  input: unknown;
}

// Entry point of harness.runInWorker: a thrown error reaches the parent as the worker's 'error'.
void (async () => {
  const { modulePath, exportName, input } = workerData as Job;
  const mod = (await import(modulePath)) as Record<string, unknown>;
  const load = mod[exportName];
  if (typeof load !== 'function')
    throw new Error(`${modulePath} exports no function ${exportName}`);
  const measurement = await (load as (input: unknown) => Promise<Measurement>)(input);
  parentPort!.postMessage(measurement);
})();
