import type { Server as NetServer, Socket } from 'node:net';

import {
  create_container,
  type Connection,
  type EventContext,
  type Receiver,
  type Sender,
  types,
} from 'rhea';

import {
  errorReply,
  type Message,
  type ReceivedMessage,
  type RequestHandler,
} from '@tessera/messaging';

import { AmqpFrameGuard } from './amqp-frame-guard';
import { fromRheaMessage, toRheaMessage } from './amqp-message.codec';
import type { AmqpNorthboundRouter, NorthboundOutcome } from './amqp-northbound';

/** Who may do what on an {@link AmqpServer}. */
export interface AmqpServerSecurity {
  /** Checks SASL PLAIN credentials. Without it, and with `allowAnonymous`, anyone may connect. */
  readonly authenticate?: (username: string, password: string) => boolean | Promise<boolean>;
  /** Allow SASL ANONYMOUS (embedded dev mode only). */
  readonly allowAnonymous: boolean;
  /** Per-address, per-operation authorization; `user` is undefined for anonymous clients. */
  readonly authorize?: (
    user: string | undefined,
    address: string,
    subject: string | undefined,
  ) => boolean;
}

/** Where and how an {@link AmqpServer} listens. */
export interface AmqpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: { key: Buffer | string; cert: Buffer | string; ca?: Buffer | string };
  readonly security: AmqpServerSecurity;
  /**
   * The largest frame a client may send, announced in the server's open; a connection declaring
   * a larger one is closed before anything of it is buffered. Default 64 KiB (rhea and Proton
   * clients split larger messages into frames of this size).
   */
  readonly maxFrameSize?: number;
  /** How long a client may take from connecting (TLS and SASL included) to its open (ms). Default 10 s. */
  readonly openTimeoutMs?: number;
  /**
   * The most bytes of messages split over several transfers that may be pending on a connection
   * (rhea collects them without bound); beyond it the connection is closed. Default 1 MiB.
   */
  readonly maxIncompleteBytes?: number;
}

const DEFAULT_MAX_FRAME_SIZE = 64 * 1024;
const DEFAULT_OPEN_TIMEOUT_MS = 10_000;
/**
 * Frames' worth of bytes a client may send before its open has been processed: SASL, a header and
 * the open take a few small frames. rhea cannot take AMQP frames pipelined behind a SASL response
 * still being checked: it reads the AMQP header as the size of a 1 GB SASL frame and buffers.
 */
const PRE_OPEN_FRAMES = 4;

/** Hono's AMQP error conditions used when refusing links and settling requests. */
export const AmqpConditions = {
  notFound: 'amqp:not-found',
  unauthorized: 'amqp:unauthorized-access',
  decodeError: 'amqp:decode-error',
  preconditionFailed: 'amqp:precondition-failed',
  internalError: 'amqp:internal-error',
} as const;

/**
 * The server side of Hono's AMQP 1.0 request/response APIs, shared by the registry services.
 *
 * A client attaches a sender link to a served address (e.g. `registration/DEFAULT_TENANT`) and a
 * receiver link whose source is its reply-to address; each request is answered on that link with
 * `correlation-id` = the request's `correlation-id`, else its `message-id`, and the handler's
 * application properties (`status`, `cache_control`, …). A request without `reply-to` or without an
 * id is rejected (`amqp:precondition-failed`) and the link stays usable; a handler that throws
 * answers with the error's `status` (400–599) or 500. Garbage on the wire closes only that connection;
 * so do a frame beyond the announced max-frame-size and a client that does not open in time.
 */
export class AmqpServer {
  // Every request is settled explicitly (accepted, or rejected with a condition); rhea's automatic
  // accept would send a second disposition for the same delivery.
  private readonly container = create_container({ id: 'tessera-registry', autoaccept: false });
  // rhea types its SASL mechanism registry as `any`.
  private readonly mechanisms = this.container.sasl_server_mechanisms as {
    enable_plain(check: (username: string, password: string) => boolean | Promise<boolean>): void;
    enable_anonymous(): void;
  };
  private server: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  /** What to do once a connection opened, for each that has not yet, by the socket rhea reads. */
  private readonly opening = new Map<Socket, () => void>();
  private readonly replyLinks = new WeakMap<Connection, Map<string, Sender>>();
  private readonly users = new WeakMap<Connection, string>();

  /**
   * @param northbound serves Hono's northbound addresses (`telemetry/<tenant>`, `event/<tenant>`)
   *   to consumers too (embedded mode without Kafka); consumers need the `consume` operation.
   */
  constructor(
    private readonly options: AmqpServerOptions,
    private readonly handlers: ReadonlyMap<string, RequestHandler>,
    private readonly northbound?: AmqpNorthboundRouter,
  ) {
    const { security } = options;
    // Without any mechanism rhea would fall back to SASL ANONYMOUS: never open a port by accident.
    if (!security.authenticate && !security.allowAnonymous) {
      throw new Error('an AMQP endpoint needs SASL users or explicitly allowed anonymous access');
    }
    if (security.authenticate) {
      const check = security.authenticate;
      this.mechanisms.enable_plain((username, password) => check(username, password));
    }
    if (security.allowAnonymous) this.mechanisms.enable_anonymous();
    this.container.on('error', () => undefined);
    this.container.on('connection_error', () => undefined);
    this.container.on('protocol_error', () => undefined);
    this.container.on('disconnected', () => undefined);
    this.container.on('connection_open', (ctx: EventContext) => {
      const socket = (ctx.connection as unknown as { socket?: Socket }).socket;
      if (socket) this.opening.get(socket)?.();
      const username = saslUser(ctx.connection);
      if (username !== undefined) this.users.set(ctx.connection, username);
    });
    this.container.on('receiver_open', (ctx: EventContext) => {
      this.onClientSender(ctx);
    });
    this.container.on('sender_open', (ctx: EventContext) => {
      this.onClientReceiver(ctx);
    });
    this.container.on('sender_close', (ctx: EventContext) => {
      const address = ctx.sender?.source.address;
      if (address) this.replyLinks.get(ctx.connection)?.delete(address);
      if (ctx.sender) this.northbound?.detach(ctx.sender);
    });
    if (northbound) {
      for (const outcome of ['accepted', 'rejected', 'released', 'modified'] as const) {
        this.container.on(outcome, (ctx: EventContext) => {
          if (ctx.delivery) northbound.settle(ctx.delivery, outcome satisfies NorthboundOutcome);
        });
      }
      const gone = (ctx: EventContext): void => {
        northbound.detachConnection(ctx.connection);
      };
      this.container.on('connection_close', gone);
      this.container.on('disconnected', gone);
    }
    this.container.on('message', (ctx: EventContext) => {
      this.onRequest(ctx).catch(() => {
        // Nothing a client sends may take the process down: the request fails, its link closes.
        ctx.receiver?.close({
          condition: AmqpConditions.internalError,
          description: 'request failed',
        });
      });
    });
  }

  /** Starts listening; resolves with the port actually bound (useful with port 0). */
  async listen(): Promise<number> {
    const maxFrameSize = this.options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    const openTimeoutMs = this.options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
    const server = this.container.listen({
      host: this.options.host,
      port: this.options.port,
      tcp_no_delay: true, // rhea's default (Nagle on) stalls serial request/response at ~60/s
      max_frame_size: maxFrameSize,
      ...(this.options.tls
        ? { transport: 'tls', handshakeTimeout: openTimeoutMs, ...this.options.tls }
        : {}),
    } as never) as NetServer;
    this.server = server;
    const tls = this.options.tls !== undefined;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      if (!tls) {
        corkPerTick(socket);
        this.guard(socket, maxFrameSize, openTimeoutMs);
      }
    });
    // With TLS, rhea writes to the TLS socket; the TCP socket under it only carries its records.
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      corkPerTick(socket);
      this.guard(socket, maxFrameSize, openTimeoutMs);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => {
        resolve();
      });
      server.once('error', reject);
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Stops accepting connections and closes every open one. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  /**
   * Limits of a connection that rhea does not enforce: frames beyond max-frame-size (rhea would
   * buffer whatever size is declared), the time to open and what may come before. Each closes
   * only this connection.
   */
  private guard(socket: Socket, maxFrameSize: number, openTimeoutMs: number): void {
    const frames = new AmqpFrameGuard(maxFrameSize, this.options.maxIncompleteBytes);
    let preOpen: number | undefined = 0;
    // Ahead of rhea's own listener, so the size is checked before rhea buffers the frame.
    socket.prependListener('data', (chunk: Buffer) => {
      if (preOpen !== undefined && (preOpen += chunk.length) > PRE_OPEN_FRAMES * maxFrameSize) {
        socket.destroy(new Error('too much data before the AMQP open'));
      } else if (!frames.scan(chunk)) {
        socket.destroy(new Error(`frame size beyond max-frame-size ${String(maxFrameSize)}`));
      }
    });
    const deadline = setTimeout(() => {
      socket.destroy(new Error(`no AMQP open within ${String(openTimeoutMs)} ms`));
    }, openTimeoutMs);
    const opened = (): void => {
      clearTimeout(deadline);
      preOpen = undefined;
      this.opening.delete(socket);
    };
    this.opening.set(socket, opened);
    socket.once('close', opened);
  }

  private handlerFor(address: string | undefined): RequestHandler | undefined {
    if (!address) return undefined;
    const endpoint = address.split('/')[0] ?? '';
    return this.handlers.get(endpoint);
  }

  // The client's sender link: requests arrive on it.
  private onClientSender(ctx: EventContext): void {
    const link = ctx.receiver;
    if (!link) return;
    const address = link.target.address as string | undefined;
    if (!this.handlerFor(address) || address === undefined) {
      refuse(link, AmqpConditions.notFound, `no such address: ${String(address)}`);
      return;
    }
    link.set_target({ address });
    const user = this.users.get(ctx.connection);
    if (
      this.options.security.authorize &&
      !this.options.security.authorize(user, address, undefined)
    ) {
      refuse(link, AmqpConditions.unauthorized, `not authorized for ${address}`);
    }
  }

  // The client's receiver link: replies go out on it, matched by its source address (= reply-to);
  // or a consumer of a northbound address.
  private onClientReceiver(ctx: EventContext): void {
    const link = ctx.sender;
    if (!link) return;
    const address = link.source.address as string | undefined;
    if (address !== undefined && this.northbound?.serves(address)) {
      const user = this.users.get(ctx.connection);
      if (
        this.options.security.authorize &&
        !this.options.security.authorize(user, address, 'consume')
      ) {
        refuse(link, AmqpConditions.unauthorized, `not authorized to consume ${address}`);
        return;
      }
      link.set_source({ address });
      this.northbound.attach(link, address);
      return;
    }
    if (!this.handlerFor(address) || address === undefined) {
      refuse(link, AmqpConditions.notFound, `no such address: ${String(address)}`);
      return;
    }
    // Echo the terminus: clients (e.g. Qpid Proton) check that the attach matches what they asked.
    link.set_source({ address });
    let links = this.replyLinks.get(ctx.connection);
    if (!links) {
      links = new Map();
      this.replyLinks.set(ctx.connection, links);
    }
    links.set(address, link);
  }

  private async onRequest(ctx: EventContext): Promise<void> {
    const delivery = ctx.delivery;
    const address = ctx.receiver?.target.address;
    if (!delivery || !ctx.message || address === undefined) return;
    let request: ReceivedMessage;
    try {
      request = fromRheaMessage(address, ctx.message);
    } catch {
      delivery.reject({
        condition: AmqpConditions.decodeError,
        description: 'cannot decode request',
      });
      return;
    }
    const correlationId = replyCorrelationId(ctx.message);
    if (request.replyTo === undefined || correlationId === undefined) {
      delivery.reject({
        condition: AmqpConditions.preconditionFailed,
        description:
          'request must have a reply-to address and a message-id or correlation-id (ulong, uuid, binary or string)',
      });
      return;
    }
    const replyLink = this.replyLinks.get(ctx.connection)?.get(request.replyTo);
    if (!replyLink) {
      delivery.reject({
        condition: AmqpConditions.preconditionFailed,
        description: `no receiver link open for reply-to ${request.replyTo}`,
      });
      return;
    }
    const user = this.users.get(ctx.connection);
    if (
      this.options.security.authorize &&
      // A request always names its operation: no subject must not pass as the link-level check.
      !this.options.security.authorize(user, address, request.subject ?? '')
    ) {
      delivery.reject({
        condition: AmqpConditions.unauthorized,
        description: `not authorized: ${String(request.subject)} on ${address}`,
      });
      return;
    }
    const handler = this.handlerFor(address);
    let reply: Message;
    try {
      reply = handler ? await handler(request) : errorReply(404, `no such address: ${address}`);
    } catch (error) {
      reply = errorReplyFrom(error);
    }
    // Accepted together with the answer: the disposition and the reply leave in one write, as a
    // handler answering at once would send them (Hono's clients act on either, in any order).
    delivery.accept();
    if (replyLink.is_open()) {
      const out = toRheaMessage(reply) as { correlation_id?: unknown };
      out.correlation_id = correlationId;
      replyLink.send(out as never);
    }
  }
}

/**
 * The reply's correlation-id: the request's correlation-id, else its message-id, keeping its AMQP
 * type (ulong, uuid, binary or string), as Hono's clients match on the typed value. `undefined`
 * without one, or for an id of another type (a negative or fractional number, a list, a map, …),
 * which no reply could carry.
 */
function replyCorrelationId(raw: { correlation_id?: unknown; message_id?: unknown }): unknown {
  const id = raw.correlation_id ?? raw.message_id;
  if (typeof id === 'string' || Buffer.isBuffer(id)) return id;
  // A numeric id can only have been a ulong (AMQP message ids are ulong, uuid, binary or string).
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return types.wrap_ulong(id);
  if (typeof id === 'bigint' && id >= 0n) return types.wrap_ulong(Number(id));
  return undefined;
}

function errorReplyFrom(error: unknown): Message {
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 600) {
    return errorReply(status, error instanceof Error ? error.message : 'request failed');
  }
  return errorReply(500, 'internal error');
}

/**
 * Refuses a link the AMQP way: the answering attach carries a null terminus, then a detach with
 * the error follows, so the client can tell a refusal from an accepted link.
 */
function refuse(link: Sender | Receiver, condition: string, description: string): void {
  const attach = (link as unknown as { local: { attach: { source: unknown; target: unknown } } })
    .local.attach;
  if (link.is_sender()) attach.source = null;
  else attach.target = null;
  link.close({ condition, description });
}

/**
 * rhea writes every frame with its own `socket.write`, a system call each. Corked until the end of
 * the tick, the frames of one pass (dispositions, replies, flow) leave in one `writev`.
 */
function corkPerTick(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  };
}

function saslUser(connection: Connection): string | undefined {
  const transport = (
    connection as unknown as { sasl_transport?: { mechanism?: { username?: unknown } } }
  ).sasl_transport;
  const name = transport?.mechanism?.username;
  return typeof name === 'string' ? name : undefined;
}
