/** `AMQP` where a frame's size would be: the protocol header that follows a SASL outcome. */
const PROTOCOL_HEADER_PREFIX = 0x414d5150;
const PROTOCOL_HEADER_BYTES = 8;
/** The protocol id of the SASL layer's header (`AMQP 3 1 0 0`). */
const SASL_PROTOCOL_ID = 3;
/** A frame header (size, data offset, type, channel): nothing shorter is a frame. */
const FRAME_HEADER_BYTES = 8;

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

  constructor(private readonly maxFrameSize: number) {}

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
        this.frameLeft -= n;
        i += n;
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
    }
    return true;
  }
}
