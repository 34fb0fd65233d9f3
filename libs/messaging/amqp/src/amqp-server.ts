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
}

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
 * answers with the error's `status` (400–599) or 500. Garbage on the wire closes only that connection.
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
      void this.onRequest(ctx);
    });
  }

  /** Starts listening; resolves with the port actually bound (useful with port 0). */
  async listen(): Promise<number> {
    const server = this.container.listen({
      host: this.options.host,
      port: this.options.port,
      tcp_no_delay: true, // rhea's default (Nagle on) stalls serial request/response at ~60/s
      ...(this.options.tls ? { transport: 'tls', ...this.options.tls } : {}),
    } as never) as NetServer;
    this.server = server;
    const tls = this.options.tls !== undefined;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      if (!tls) corkPerTick(socket);
    });
    // With TLS, rhea writes to the TLS socket; the TCP socket under it only carries its records.
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      corkPerTick(socket);
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
    const correlationId = request.correlationId ?? request.messageId;
    if (request.replyTo === undefined || correlationId === undefined) {
      delivery.reject({
        condition: AmqpConditions.preconditionFailed,
        description: 'request must have a reply-to address and a message-id or correlation-id',
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
      !this.options.security.authorize(user, address, request.subject)
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
      // The reply's correlation-id keeps the request id's AMQP type (string, UUID, ulong, binary):
      // Hono's clients match on the typed value.
      const raw = ctx.message as { correlation_id?: unknown; message_id?: unknown };
      const out = toRheaMessage(reply) as { correlation_id?: unknown };
      const id = raw.correlation_id ?? raw.message_id;
      // A numeric id can only have been a ulong (AMQP message ids are ulong, uuid, binary or string).
      out.correlation_id =
        typeof id === 'number' || typeof id === 'bigint' ? types.wrap_ulong(Number(id)) : id;
      replyLink.send(out as never);
    }
  }
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
