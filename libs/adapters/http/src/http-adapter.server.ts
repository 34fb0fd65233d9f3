import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';

import {
  type AdapterRuntime,
  type AuthenticatedDevice,
  payloadTooLarge,
  toAdapterError,
  unauthorized,
} from '@tessera/adapter-base';

import {
  extractTraceContext,
  inContext,
  isTracingEnabled,
  SAMPLING_MODE_ATTRIBUTE,
  samplingModeOf,
  SpanAttributes,
  SpanKind,
  withSpan,
} from '@tessera/telemetry';

import { basicCredentials, route, uploadOptions } from './http-request';

/** Hono's adapter type and `orig_adapter` of the HTTP adapter. */
export const HTTP_ADAPTER_TYPE = 'hono-http';

/** Where the device listeners are, once started. */
export interface HttpAdapterEndpoints {
  readonly http?: string;
  readonly https?: string;
}

/** Options of an {@link HttpAdapterServer}. */
export interface HttpAdapterServerOptions {
  readonly host: string;
  /** Plain HTTP port, or `undefined` for none. */
  readonly port?: number | undefined;
  /** HTTPS (client certificates requested, validated per tenant by the adapter). */
  readonly tls?: { readonly port: number; readonly key: string; readonly cert: string } | undefined;
  /** How long shutdown waits for requests in flight (ms). */
  readonly drainTimeoutMs?: number;
  /**
   * Largest request line plus headers (bytes); Node answers a larger one 431 and closes its
   * connection. Default 8 KiB.
   */
  readonly maxHeaderSize?: number;
  /** How long a client may take to send the request headers (ms); then 408. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send the whole request (ms); then 408. Default 30 s. */
  readonly requestTimeoutMs?: number;
}

/**
 * Hono's HTTP protocol adapter on Node's own `http`/`https` servers (the device path is hot:
 * no framework in it). Each request is authenticated (client certificate first, then Basic),
 * routed, and handed to the shared downstream pipeline; the answer is Hono's status code.
 */
export class HttpAdapterServer {
  private readonly servers: Server[] = [];
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private urls: { http?: string; https?: string } = {};
  private readonly accepted = new CoalescedEnd();

  constructor(
    private readonly runtime: AdapterRuntime,
    private readonly options: HttpAdapterServerOptions,
  ) {}

  get endpoints(): HttpAdapterEndpoints {
    return this.urls;
  }

  async start(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.inFlight++;
      void this.handle(req, res);
    };
    const headersTimeout = this.options.headersTimeoutMs ?? 10_000;
    const limits: ServerOptions = {
      maxHeaderSize: this.options.maxHeaderSize ?? 8_192,
      headersTimeout,
      requestTimeout: this.options.requestTimeoutMs ?? 30_000,
      // How often Node looks for requests past their timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.min(headersTimeout, 5_000),
    };
    if (this.options.port !== undefined) {
      const server = createHttpServer(limits, handler);
      const port = await listen(server, this.options.port, this.options.host);
      this.urls.http = `http://${this.options.host}:${String(port)}`;
      this.servers.push(server);
    }
    if (this.options.tls) {
      const server = createHttpsServer(
        {
          ...limits,
          key: this.options.tls.key,
          cert: this.options.tls.cert,
          // Trust anchors are per tenant: the adapter validates the certificate itself.
          requestCert: true,
          rejectUnauthorized: false,
        },
        handler,
      );
      const port = await listen(server, this.options.tls.port, this.options.host);
      this.urls.https = `https://${this.options.host}:${String(port)}`;
      this.servers.push(server);
    }
  }

  /** Stops accepting, lets requests in flight finish (bounded), then closes every connection. */
  async stop(): Promise<void> {
    const closed = Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) =>
            s.close(() => {
              resolve();
            }),
          ),
      ),
    );
    for (const s of this.servers) s.closeIdleConnections();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        setTimeout(resolve, this.options.drainTimeoutMs ?? 10_000).unref();
      });
    }
    this.accepted.flush();
    for (const s of this.servers) s.closeAllConnections();
    await closed;
    this.servers.length = 0;
  }

  /** Answers one request; never rejects, and counts the request out of `inFlight` when done. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // The path and query as sent (a WHATWG URL parse costs more than the rest of routing).
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const pathname = q < 0 ? raw : raw.slice(0, q);
      const target = route(req.method ?? 'GET', pathname);
      if (target.kind === 'not-found') {
        reply(res, 404, 'no such resource');
        req.resume();
        return;
      }
      if (target.kind === 'method-not-allowed') {
        res.setHeader('allow', target.allow);
        reply(res, 405, 'method not allowed');
        req.resume();
        return;
      }
      const query = q < 0 ? undefined : new URLSearchParams(raw.slice(q + 1));
      const options = uploadOptions(req, query, target.endpoint);
      const { endpoint } = target;
      // The device's trace (W3C traceparent header) is active from here on: the registry lookups
      // join it, and Hono's span per upload continues it.
      const parent = extractTraceContext(req.headers);
      const [device, payload] = await inContext(parent, () =>
        Promise.all([this.authenticate(req), readBody(req, this.runtime.options.maxPayloadBytes)]),
      );
      if (device === undefined && target.target === undefined) throw unauthorized();
      const tenantId =
        target.target === undefined || target.target.tenantId === ''
          ? device?.tenantId
          : target.target.tenantId;
      if (tenantId === undefined) throw unauthorized();
      const deviceId = target.target?.deviceId ?? device?.deviceId ?? '';
      // Hono's per-tenant sampling (`tracing.sampling-mode[-per-auth-id]`); a lookup failure is
      // left to the pipeline, which reports it.
      const tenant = isTracingEnabled()
        ? await inContext(parent, () => this.runtime.clients.tenant.get(tenantId)).catch(
            () => undefined,
          )
        : undefined;
      const upload = (): Promise<unknown> =>
        this.runtime.uploader.upload({
          endpoint,
          qos: options.qos,
          authenticated: device,
          tenantId,
          deviceId,
          payload,
          contentType: options.contentType,
          ttdSeconds: options.ttdSeconds,
          ttlSeconds: options.ttlSeconds,
          origAddress: raw,
        });
      // Hono's span per upload; with tracing off not even its attributes are worth building.
      if (!isTracingEnabled()) await upload();
      else
        await withSpan(
          `upload ${endpoint}`,
          {
            [SpanAttributes.QOS]: options.qos,
            [SpanAttributes.TENANT_ID]: tenantId,
            [SpanAttributes.DEVICE_ID]: deviceId,
            [SpanAttributes.AUTH_ID]: device?.authId,
            [SpanAttributes.GATEWAY_ID]:
              device !== undefined && device.deviceId !== deviceId ? device.deviceId : undefined,
            [SAMPLING_MODE_ATTRIBUTE]: samplingModeOf(tenant?.tracing, device?.authId),
          },
          upload,
          { kind: SpanKind.SERVER, parent },
        );
      res.statusCode = 202;
      this.accepted.end(res);
    } catch (error) {
      const e = toAdapterError(error);
      if (e.status === 401) res.setHeader('www-authenticate', 'Basic realm="Hono"');
      // A body declared too large may not even be sent: only closing skips it. One that grew too
      // large is drained instead (bounded by the request timeout), so the client reads the 413
      // rather than a reset of the connection it is still writing to.
      if (e.status === 413 && tooLargeDeclared(req, this.runtime.options.maxPayloadBytes)) {
        res.setHeader('connection', 'close');
      }
      reply(res, e.status, e.message);
      if (!req.complete) req.resume();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  /** The client certificate (HTTPS) wins over Basic credentials, as in Hono; none gives `undefined`. */
  private async authenticate(req: IncomingMessage): Promise<AuthenticatedDevice | undefined> {
    const socket = req.socket as Partial<TLSSocket>;
    if (typeof socket.getPeerCertificate === 'function') {
      // Without a client certificate Node returns an empty object.
      const { raw } = socket.getPeerCertificate() as Partial<PeerCertificate>;
      if (raw !== undefined) {
        return (await this.runtime.authenticator.authenticateCertificate(raw)).device;
      }
    }
    const header = req.headers.authorization;
    if (header === undefined) return undefined;
    const basic = basicCredentials(header);
    if (basic === undefined) throw unauthorized();
    return (await this.runtime.authenticator.authenticatePassword(basic.username, basic.password))
      .device;
  }
}

/**
 * Ends responses together, once per event-loop turn, after the turn's reads are handled.
 *
 * Why: each response written on its own wakes a client that went idle in between, and on these
 * machines (VMs, clients on the same host) that wake-up is paid by the writer: at ~10k requests/s
 * it added about 30 µs a request, more than the whole message pipeline. Written in one burst, the
 * first response wakes the client and the others find it running. The cost is at most one loop
 * turn of latency.
 */
class CoalescedEnd {
  private pending: ServerResponse[] = [];

  end(res: ServerResponse): void {
    if (this.pending.push(res) === 1) setImmediate(this.flush);
  }

  /** Ends what is pending now (also run by the loop turn's timer). */
  readonly flush = (): void => {
    const responses = this.pending;
    this.pending = [];
    for (const res of responses) res.end();
  };
}

function reply(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(message);
}

function tooLargeDeclared(req: IncomingMessage, limit: number): boolean {
  return Number(req.headers['content-length'] ?? '0') > limit;
}

/** Reads the body, refusing (413) as soon as it exceeds `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (tooLargeDeclared(req, limit)) return Promise.reject(payloadTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks));
    });
    req.once('error', reject);
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
