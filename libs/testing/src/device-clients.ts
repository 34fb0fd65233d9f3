import { untilPasses } from './management-client';
import { kcatRead, type KcatRecord } from './kcat';
import { type ProgramResult, runProgram } from './processes';

/*
 * The clients devices and backends use, as integration tests drive them: curl, mosquitto_pub,
 * kcat and Qpid Proton (programs nobody here wrote), with their answers parsed.
 */

/** What curl saw of one HTTP exchange. */
export interface CurlReply {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

/**
 * Runs curl once (`-s`, 15 s limit) with `args` (method, headers, TLS options, URL…).
 * @returns the status (0 when curl got no answer), the response headers and body.
 */
export async function curl(args: readonly string[]): Promise<CurlReply> {
  const out = await runProgram('curl', [
    '-s',
    '-D',
    '-',
    '-o',
    '-',
    '-w',
    '\n%{http_code}',
    '--max-time',
    '15',
    ...args,
  ]);
  const lines = out.stdout.split('\n');
  const status = Number(lines.pop());
  const text = lines.join('\n');
  const split = text.indexOf('\r\n\r\n');
  return {
    status,
    headers: split < 0 ? text : text.slice(0, split),
    body: split < 0 ? '' : text.slice(split + 4),
  };
}

/** How mosquitto_pub connects: user name and password, or (TLS) a client certificate. */
export type MqttIdentity =
  | { readonly username: string; readonly password: string }
  | { readonly certFile: string; readonly keyFile: string; readonly caFile: string };

/**
 * Publishes one message with mosquitto_pub (QoS 1 unless `extra` says otherwise, MQTT 3.1.1): it
 * exits 0 only once the adapter acknowledged the message (PUBACK). With `-d`, its stdout lists
 * the packets, e.g. `received CONNACK (0)`, `received PUBACK`, `Received DISCONNECT (135)`.
 * @param extra further mosquitto_pub options, e.g. `['-V', 'mqttv5']`.
 */
export function mosquittoPub(
  port: number,
  identity: MqttIdentity,
  topic: string,
  message: string,
  extra: readonly string[] = [],
): Promise<ProgramResult> {
  const auth =
    'username' in identity
      ? ['-u', identity.username, '-P', identity.password]
      : ['--cafile', identity.caFile, '--cert', identity.certFile, '--key', identity.keyFile];
  return runProgram(
    'mosquitto_pub',
    [
      '-d',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      ...auth,
      '-t',
      topic,
      '-m',
      message,
      '-q',
      '1',
      ...extra,
    ],
    { timeoutMs: 20_000 },
  );
}

/** The record with this payload, once kcat sees it on the topic (within `timeoutMs`). */
export function awaitRecord(
  brokers: readonly string[],
  topic: string,
  payload: string,
  timeoutMs = 20_000,
): Promise<KcatRecord> {
  return untilPasses(async () => {
    const found = (await kcatRead(brokers, topic)).find((r) => r.payload === payload);
    if (found === undefined) throw new Error(`no record "${payload}" on ${topic} yet`);
    return found;
  }, timeoutMs);
}

/** One request to a registry API over AMQP 1.0 (Hono's request-response pattern). */
export interface AmqpApiRequest {
  /** e.g. `credentials/<tenant>` or `registration/<tenant>`. */
  readonly address: string;
  /** The operation, e.g. `get` or `assert`. */
  readonly subject: string;
  /** Application properties, e.g. `device_id`. */
  readonly properties?: Readonly<Record<string, string>>;
  /** A JSON body (sent as `application/json`). */
  readonly body?: unknown;
}

/** Hono's Credentials API `get` of a `hashed-password` credential, as an adapter asks. */
export function credentialsGetRequest(tenantId: string, authId: string): AmqpApiRequest {
  return {
    address: `credentials/${tenantId}`,
    subject: 'get',
    body: { type: 'hashed-password', 'auth-id': authId },
  };
}

/**
 * A management API credentials body: one `hashed-password` credential with one secret (by default
 * the plain password `<authId>-secret`).
 */
export function passwordCredentials(
  authId: string,
  secret: Readonly<Record<string, unknown>> = { 'pwd-plain': `${authId}-secret` },
): Record<string, unknown>[] {
  return [{ type: 'hashed-password', 'auth-id': authId, secrets: [secret] }];
}

/** The answer to an {@link AmqpApiRequest}, as Qpid Proton received it. */
export interface AmqpApiReply {
  /** The `status` application property. */
  readonly status: number;
  readonly properties: Readonly<Record<string, unknown>>;
  /** The body, parsed as JSON when it is JSON. */
  readonly body: unknown;
}

const PROTON_REQUESTS = `
import json, sys, uuid
from proton import Message
from proton.utils import BlockingConnection
url, requests = sys.argv[1], json.loads(sys.argv[2])
user, password = sys.argv[3] or None, sys.argv[4] or None
conn = BlockingConnection(url, user=user, password=password,
                          allowed_mechs="PLAIN" if user else "ANONYMOUS")
senders, out = {}, []
for req in requests:
    address = req["address"]
    if address not in senders:
        senders[address] = conn.create_sender(address)
    reply_to = f"{address}/{uuid.uuid4()}"
    receiver = conn.create_receiver(reply_to)
    body = req.get("body")
    msg = Message(id=str(uuid.uuid4()), subject=req["subject"], reply_to=reply_to,
                  properties=req.get("properties") or {})
    if body is not None:
        msg.content_type = "application/json"
        msg.body = json.dumps(body).encode()
    senders[address].send(msg)
    r = receiver.receive(timeout=15)
    receiver.accept()
    receiver.close()
    raw = bytes(r.body).decode() if r.body is not None else None
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw
    props = {k: (v if isinstance(v, (str, bool, type(None))) else int(v) if isinstance(v, int) else str(v))
             for k, v in (r.properties or {}).items()}
    out.append({"properties": props, "body": parsed})
conn.close()
print(json.dumps(out))
`;

/**
 * Sends registry API requests over AMQP 1.0 with Qpid Proton (`/usr/bin/python3`), one connection
 * for all of them, and returns the answers in order.
 * @param url `amqp://[user:password@]host:port`; without a user the connection is anonymous.
 * @throws when Proton fails (connection refused, link refused, no answer within 15 s).
 */
export async function protonRequests(
  url: string,
  requests: readonly AmqpApiRequest[],
): Promise<AmqpApiReply[]> {
  const parsed = new URL(url);
  const result = await runProgram('/usr/bin/python3', [
    '-c',
    PROTON_REQUESTS,
    `${parsed.hostname}:${parsed.port}`,
    JSON.stringify(requests),
    decodeURIComponent(parsed.username),
    decodeURIComponent(parsed.password),
  ]);
  if (result.code !== 0) throw new Error(`Qpid Proton failed: ${result.stderr}`);
  const replies = JSON.parse(result.stdout) as {
    properties: Record<string, unknown>;
    body: unknown;
  }[];
  return replies.map((r) => ({
    status: Number(r.properties['status']),
    properties: r.properties,
    body: r.body,
  }));
}
