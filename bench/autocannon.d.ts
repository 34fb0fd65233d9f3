// Minimal typings for the parts of autocannon 8 the harness uses (there is no @types package
// in the workspace).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      method?: string;
      body?: string | Buffer;
      headers?: Record<string, string>;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Return the raw counters; in a worker thread autocannon never aggregates anyway. */
      skipAggregateResult?: boolean;
    }

    interface RawResult {
      '2xx': number;
      non2xx: number;
      errors: number;
      timeouts: number;
      totalCompletedRequests: number;
      /** Seconds. */
      duration: number;
    }

    interface Instance extends EventEmitter, PromiseLike<RawResult> {
      on(
        event: 'response',
        listener: (
          client: unknown,
          statusCode: number,
          bytes: number,
          responseTimeMs: number,
        ) => void,
      ): this;
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;

  export = autocannon;
}
