/**
 * Follows MQTT packet boundaries in a connection's byte stream (fixed header byte, variable-length
 * "remaining length", then that many bytes) without buffering anything. It lets a connection
 * refuse a packet declaring more than `limit` bytes before the parser buffers it, and hand the
 * parser only as many packets as it may take now (the rest waits while the socket is paused).
 */
export class PacketFramer {
  private remaining = 0;
  private inLength = false;
  private length = 0;
  private multiplier = 1;

  constructor(private readonly limit: number) {}

  /**
   * Scans `chunk` from `from` until `maxPackets` packets are complete or the chunk ends.
   * @returns the offset just past the last byte scanned, or -1 if a packet exceeds the limit (or
   *   its length is malformed).
   */
  scan(chunk: Buffer, from: number, maxPackets: number): number {
    let i = from;
    let complete = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        this.remaining -= n;
        i += n;
        if (this.remaining === 0 && ++complete >= maxPackets) return i;
        continue;
      }
      const byte = chunk[i++] ?? 0;
      if (!this.inLength) {
        // The fixed header's first byte: packet type and flags.
        this.inLength = true;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      if ((byte & 0x80) !== 0) {
        this.multiplier *= 128;
        // At most four length bytes (MQTT 2.2.3).
        if (this.multiplier > 128 ** 3) return -1;
        continue;
      }
      if (this.length > this.limit) return -1;
      this.inLength = false;
      this.remaining = this.length;
      if (this.remaining === 0 && ++complete >= maxPackets) return i;
    }
    return i;
  }
}
