/** `AMQP` where a frame's size would be: the protocol header that follows a SASL outcome. */
const PROTOCOL_HEADER_PREFIX = 0x414d5150;
const PROTOCOL_HEADER_BYTES = 8;
/** The protocol id of the SASL layer's header (`AMQP 3 1 0 0`). */
const SASL_PROTOCOL_ID = 3;
/** A frame header (size, data offset, type, channel): nothing shorter is a frame. */
const FRAME_HEADER_BYTES = 8;
/** How much of a frame after its size the guard looks at: header rest and a transfer's fields. */
const PREFIX_BYTES = 4 + 96;
/** The descriptor code of a transfer performative. */
const TRANSFER = 0x14;

/**
 * Follows AMQP 1.0 frame boundaries in a connection's byte stream (a protocol header, frames of
 * `size` bytes, and after SASL frames one more protocol header) without buffering anything. rhea
 * waits for, and buffers, whatever size a peer declares, up to 4 GiB: the guard lets a server
 * close a connection that declares a frame larger than the max-frame-size it announced (or too
 * small to be a frame) before rhea buffers it.
 */
export class AmqpFrameGuard {
  /** Bytes of the current protocol header still to come (the stream starts with one). */
  private headerLeft = PROTOCOL_HEADER_BYTES;
  /** Whether this is the stream's first protocol header. */
  private first = true;
  /** Whether a second protocol header may still come (the first one was SASL's). */
  private afterSasl = false;
  /** Bytes of the current frame still to come, once its size is known. */
  private frameLeft = 0;
  private sizeBytes = 0;
  private size = 0;
  /** The start of the current frame (after its size), while it is collected. */
  private prefix: number[] | undefined;
  private prefixWanted = 0;
  private frameSize = 0;
  /** Bytes of deliveries still incomplete (`more` transfers), by channel and link handle. */
  private readonly incomplete = new Map<string, number>();
  private incompleteBytes = 0;

  /**
   * @param maxFrameSize the max-frame-size the server announced.
   * @param maxIncompleteBytes the most bytes of deliveries split over several transfers (`more`)
   *   that may be pending on the connection; rhea would collect them without bound.
   */
  constructor(
    private readonly maxFrameSize: number,
    private readonly maxIncompleteBytes = 1024 * 1024,
  ) {}

  /**
   * Scans the next chunk of the stream.
   * @returns false once a frame declares a size above the limit or below a frame header's.
   */
  scan(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.headerLeft > 0) {
        // Byte 4 of the stream's first header is its protocol id.
        if (this.first && this.headerLeft === 4) this.afterSasl = chunk[i] === SASL_PROTOCOL_ID;
        if (--this.headerLeft === 0) this.first = false;
        i++;
        continue;
      }
      if (this.frameLeft > 0) {
        const n = Math.min(this.frameLeft, chunk.length - i);
        if (this.prefix !== undefined) {
          const take = Math.min(n, this.prefixWanted - this.prefix.length);
          for (let k = 0; k < take; k++) this.prefix.push(chunk[i + k] ?? 0);
        }
        this.frameLeft -= n;
        i += n;
        if (this.prefix !== undefined && this.prefix.length >= this.prefixWanted) {
          const prefix = this.prefix;
          this.prefix = undefined;
          if (!this.account(prefix)) return false;
        }
        continue;
      }
      // The 4-byte size of the next frame, possibly split across chunks.
      this.size = ((this.size << 8) | (chunk[i++] ?? 0)) >>> 0;
      if (++this.sizeBytes < 4) continue;
      const size = this.size;
      this.sizeBytes = 0;
      this.size = 0;
      if (size === PROTOCOL_HEADER_PREFIX && this.afterSasl) {
        // The AMQP header after SASL (only once): its other four bytes follow.
        this.afterSasl = false;
        this.headerLeft = PROTOCOL_HEADER_BYTES - 4;
        continue;
      }
      if (size < FRAME_HEADER_BYTES || size > this.maxFrameSize) return false;
      this.frameLeft = size - 4;
      this.frameSize = size;
      this.prefix = [];
      this.prefixWanted = Math.min(this.frameLeft, PREFIX_BYTES);
    }
    return true;
  }

  /** Counts a transfer's bytes while its delivery is incomplete; false beyond the limit. */
  private account(prefix: readonly number[]): boolean {
    const offset = (prefix[0] ?? 2) * 4 - 4;
    if (prefix[1] !== 0) return true; // SASL frames
    const transfer = transferFields(prefix, offset);
    if (transfer === undefined) return true;
    const key = `${String(((prefix[2] ?? 0) << 8) | (prefix[3] ?? 0))}/${String(transfer.handle)}`;
    const pending = this.incomplete.get(key) ?? 0;
    if (transfer.more) {
      this.incomplete.set(key, pending + this.frameSize);
      this.incompleteBytes += this.frameSize;
    } else if (pending > 0) {
      this.incomplete.delete(key);
      this.incompleteBytes -= pending;
    }
    return this.incompleteBytes <= this.maxIncompleteBytes;
  }
}

/**
 * The link handle and `more` flag of a transfer performative at `offset`, or undefined for any
 * other frame (or one this reader does not follow: rhea then judges it).
 */
function transferFields(
  b: readonly number[],
  offset: number,
): { handle: number; more: boolean } | undefined {
  let i = offset;
  if (b[i++] !== 0x00) return undefined;
  const code = b[i++];
  if (code === 0x53) {
    if (b[i++] !== TRANSFER) return undefined;
  } else if (code === 0x80) {
    for (let k = 0; k < 7; k++) if (b[i++] !== 0) return undefined;
    if (b[i++] !== TRANSFER) return undefined;
  } else {
    return undefined;
  }
  const list = b[i++];
  let count: number;
  if (list === 0x45) return { handle: 0, more: false };
  if (list === 0xc0) {
    i++;
    count = b[i++] ?? 0;
  } else if (list === 0xd0) {
    i += 4;
    count =
      ((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);
    i += 4;
  } else {
    return undefined;
  }
  let handle = 0;
  // handle, delivery-id, delivery-tag, message-format, settled, more
  for (let field = 0; field < Math.min(count, 6); field++) {
    const type = b[i++];
    if (type === undefined) return undefined;
    let value: number | boolean | undefined;
    switch (type) {
      case 0x40: // null
        break;
      case 0x41:
        value = true;
        break;
      case 0x42:
        value = false;
        break;
      case 0x43: // uint0
        value = 0;
        break;
      case 0x52: // smalluint
      case 0x56: // boolean
        value = type === 0x56 ? b[i] === 1 : (b[i] ?? 0);
        i += 1;
        break;
      case 0x70: // uint
        value =
          (((b[i] ?? 0) << 24) |
            ((b[i + 1] ?? 0) << 16) |
            ((b[i + 2] ?? 0) << 8) |
            (b[i + 3] ?? 0)) >>>
          0;
        i += 4;
        break;
      case 0xa0: // vbin8 (delivery tag)
        i += 1 + (b[i] ?? 0);
        break;
      case 0xb0: // vbin32
        i +=
          4 +
          ((((b[i] ?? 0) << 24) |
            ((b[i + 1] ?? 0) << 16) |
            ((b[i + 2] ?? 0) << 8) |
            (b[i + 3] ?? 0)) >>>
            0);
        break;
      default:
        return undefined;
    }
    if (i > b.length) return undefined;
    if (field === 0) handle = typeof value === 'number' ? value : 0;
    if (field === 5) return { handle, more: value === true };
  }
  return { handle, more: false };
}
