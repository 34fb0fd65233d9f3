import { connect } from 'node:net';

/**
 * Tells whether any bootstrap broker accepts TCP connections, for readiness checks. A plain
 * connect, not a Kafka request: cheap enough to run on every probe, and it does not disturb the
 * producer's own connections. The answer is remembered for `cacheMs`. The same for TLS and SASL
 * listeners: accepting the connection is what it checks, before any handshake, so it needs neither
 * the CA, a client certificate nor credentials (those problems show in the clients' own errors).
 */
export class KafkaProbe {
  private last: { at: number; result: Promise<boolean> } | undefined;

  constructor(
    private readonly brokers: readonly string[],
    private readonly timeoutMs = 1_000,
    private readonly cacheMs = 2_000,
  ) {}

  isReachable(): Promise<boolean> {
    const now = Date.now();
    if (this.last === undefined || now - this.last.at > this.cacheMs) {
      this.last = { at: now, result: this.probe() };
    }
    return this.last.result;
  }

  private async probe(): Promise<boolean> {
    for (const broker of this.brokers) {
      const colon = broker.lastIndexOf(':');
      const host = broker.slice(0, colon);
      const port = Number(broker.slice(colon + 1));
      if (await reachable(host, port, this.timeoutMs)) return true;
    }
    return false;
  }
}

function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}
