import { create_container, type Connection, type ConnectionOptions, type EventContext } from 'rhea';

import { MessagingError } from '@tessera/messaging';

/** How to reach an AMQP 1.0 peer (a broker or a registry service). */
export interface AmqpConnectionOptions {
  /** `amqp://[user:password@]host:port` or `amqps://…`; credentials select SASL PLAIN. */
  readonly url: string;
  /** The AMQP container id to announce; defaults to a random one. */
  readonly containerId?: string;
  /** TLS material for `amqps`. */
  readonly tls?: {
    ca?: Buffer | string;
    cert?: Buffer | string;
    key?: Buffer | string;
    rejectUnauthorized?: boolean;
  };
  /** How long `open()` waits for the first connection. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Reconnect with exponential back-off after losing the connection. Default true. */
  readonly reconnect?: boolean;
}

/** Connection status, for health checks and logs. */
export type AmqpStatus = 'connecting' | 'connected' | 'disconnected' | 'closed';

/** Splits an AMQP URL into rhea connect options. Throws MessagingError(INVALID) on a malformed URL. */
export function connectOptionsFromUrl(options: AmqpConnectionOptions): ConnectionOptions {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (cause) {
    throw new MessagingError('INVALID', `not a valid AMQP URL: ${redact(options.url)}`, false, {
      cause,
    });
  }
  const secure = url.protocol === 'amqps:';
  if (!secure && url.protocol !== 'amqp:') {
    throw new MessagingError(
      'INVALID',
      `AMQP URL needs scheme amqp or amqps: ${url.protocol}`,
      false,
    );
  }
  const base: Record<string, unknown> = {
    host: url.hostname,
    port: url.port === '' ? (secure ? 5671 : 5672) : Number(url.port),
    reconnect: options.reconnect ?? true,
    initial_reconnect_delay: 100,
    max_reconnect_delay: 5_000,
    idle_time_out: 60_000,
  };
  if (url.username !== '') {
    base['username'] = decodeURIComponent(url.username);
    base['password'] = decodeURIComponent(url.password);
  }
  if (secure) {
    Object.assign(base, { transport: 'tls', servername: url.hostname, ...(options.tls ?? {}) });
  }
  return base as unknown as ConnectionOptions;
}

/**
 * One client connection to an AMQP 1.0 peer, reconnecting on loss. Links opened on it are re-attached
 * by rhea after a reconnect; in-flight deliveries are failed with a retryable MessagingError.
 */
export class AmqpConnection {
  private readonly container;
  private connection: Connection | undefined;
  private statusValue: AmqpStatus = 'disconnected';
  private readonly disconnectListeners = new Set<(error: MessagingError) => void>();

  constructor(private readonly options: AmqpConnectionOptions) {
    this.container = create_container(options.containerId ? { id: options.containerId } : {});
    // An 'error' event without a listener would throw inside rhea and kill the process.
    this.container.on('error', () => undefined);
  }

  get status(): AmqpStatus {
    return this.statusValue;
  }

  /** Registers a callback for every loss of the connection (to fail in-flight work). */
  onDisconnect(listener: (error: MessagingError) => void): void {
    this.disconnectListeners.add(listener);
  }

  /** Opens the connection, or returns the open one. Rejects with MessagingError(UNAVAILABLE). */
  async open(): Promise<Connection> {
    if (this.connection && this.statusValue !== 'closed') {
      if (this.connection.is_open()) return this.connection;
      return this.waitOpen(this.connection);
    }
    const connection = this.container.connect(connectOptionsFromUrl(this.options));
    this.connection = connection;
    this.statusValue = 'connecting';
    connection.on('connection_open', () => {
      this.statusValue = 'connected';
    });
    connection.on('disconnected', (ctx: EventContext) => {
      if (this.statusValue === 'closed') return;
      this.statusValue = 'disconnected';
      const error = new MessagingError(
        'UNAVAILABLE',
        `AMQP connection lost: ${describe(ctx)}`,
        true,
      );
      for (const l of this.disconnectListeners) l(error);
    });
    connection.on('connection_error', () => undefined);
    connection.on('protocol_error', () => undefined);
    connection.on('error', () => undefined);
    return this.waitOpen(connection);
  }

  /** The open connection; throws MessagingError(UNAVAILABLE) if there is none right now. */
  current(): Connection {
    if (!this.connection?.is_open()) {
      throw new MessagingError('UNAVAILABLE', 'no AMQP connection', true);
    }
    return this.connection;
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.statusValue = 'closed';
    this.connection = undefined;
    if (!connection) return;
    const socket = (connection as unknown as { socket?: { destroy(): void } }).socket;
    if (!connection.is_open()) {
      connection.options.reconnect = false;
      connection.close();
      socket?.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket?.destroy();
        resolve();
      }, 2_000);
      connection.once('connection_close', () => {
        clearTimeout(timer);
        resolve();
      });
      connection.once('disconnected', () => {
        clearTimeout(timer);
        resolve();
      });
      connection.options.reconnect = false;
      connection.close();
    });
  }

  private waitOpen(connection: Connection): Promise<Connection> {
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        connection.removeListener('connection_open', onOpen);
      };
      const onOpen = (): void => {
        done();
        resolve(connection);
      };
      const timer = setTimeout(() => {
        connection.removeListener('connection_open', onOpen);
        reject(
          new MessagingError(
            'UNAVAILABLE',
            `no AMQP connection to ${redact(this.options.url)} within ${String(timeoutMs)} ms`,
            true,
          ),
        );
      }, timeoutMs);
      connection.on('connection_open', onOpen);
    });
  }
}

function describe(ctx: EventContext): string {
  const err = (ctx as { error?: unknown }).error;
  return err instanceof Error ? err.message : 'peer closed';
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:****@');
}
