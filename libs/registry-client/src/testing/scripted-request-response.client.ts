import { type Message, RequestResponseClient } from '@tessera/messaging';
import { ServiceInvocationError } from '@tessera/registry-api';

/** Answers one request: returns the reply, or throws/rejects as the transport would. */
export type Responder = (address: string, request: Message) => Message | Promise<Message>;

/** A recorded request. */
export interface RecordedRequest {
  readonly address: string;
  readonly request: Message;
  readonly options: { timeoutMs?: number } | undefined;
}

/** A queued reply the test sends (or fails) when it wants to. */
export interface HeldReply {
  release(reply: Message): void;
  fail(error: unknown): void;
}

/**
 * A RequestResponseClient for unit tests: records every request and answers with scripted
 * replies, in order; without a scripted reply it uses `fallback`, or rejects.
 */
export class ScriptedRequestResponseClient extends RequestResponseClient {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Responder[] = [];

  constructor(private readonly fallback?: Responder) {
    super();
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** Queues replies (or responders) for the next requests. */
  answer(...replies: (Message | Responder)[]): this {
    for (const reply of replies)
      this.script.push(typeof reply === 'function' ? reply : () => reply);
    return this;
  }

  /** Queues a reply that stays pending until the test releases it. */
  hold(): HeldReply {
    let release: (reply: Message) => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const reply = new Promise<Message>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
    this.script.push(() => reply);
    return {
      release: (m) => {
        release(m);
      },
      fail: (e) => {
        fail(e);
      },
    };
  }

  request(address: string, request: Message, options?: { timeoutMs?: number }): Promise<Message> {
    this.requests.push({ address, request, options });
    const next = this.script.shift() ?? this.fallback;
    if (next === undefined) return Promise.reject(new Error(`unscripted request to ${address}`));
    return Promise.resolve().then(() => next(address, request));
  }
}

/** A success reply as the registry sends it: `status`, `cache_control` and a JSON body. */
export function okReply(body: unknown, cacheControl?: string, status = 200): Message {
  return {
    properties: { status, ...(cacheControl === undefined ? {} : { cache_control: cacheControl }) },
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}

/** The JSON body of a recorded request. */
export function requestBody(recorded: RecordedRequest | undefined): unknown {
  const body = recorded?.request.body;
  return body === undefined ? undefined : JSON.parse(body.toString('utf8'));
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The ServiceInvocationError `promise` rejects with; fails the test otherwise. */
export async function failure(promise: Promise<unknown>): Promise<ServiceInvocationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ServiceInvocationError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
