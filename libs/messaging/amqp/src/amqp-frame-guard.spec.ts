import { AmqpFrameGuard } from './amqp-frame-guard';

const header = (protocolId: number): Buffer =>
  Buffer.from([0x41, 0x4d, 0x51, 0x50, protocolId, 1, 0, 0]);
function frame(size: number, body = size - 4): Buffer {
  const bytes = Buffer.alloc(4 + Math.max(0, body));
  bytes.writeUInt32BE(size, 0);
  return bytes;
}

describe(AmqpFrameGuard.name, () => {
  it('follows headers and frames, also split byte by byte, up to the limit', () => {
    const stream = Buffer.concat([header(3), frame(40), header(0), frame(8), frame(1024)]);
    expect(new AmqpFrameGuard(1024).scan(stream)).toBe(true);
    const guard = new AmqpFrameGuard(1024);
    for (const byte of stream) expect(guard.scan(Buffer.from([byte]))).toBe(true);
  });

  it('refuses a frame declared beyond the limit before any of its body arrived', () => {
    const guard = new AmqpFrameGuard(1024);
    expect(guard.scan(Buffer.concat([header(0), frame(16)]))).toBe(true);
    expect(guard.scan(frame(0xffffffff, 0))).toBe(false);
    expect(new AmqpFrameGuard(1024).scan(Buffer.concat([header(3), frame(1025, 0)]))).toBe(false);
  });

  it('refuses sizes too small for a frame header', () => {
    for (const size of [0, 1, 4, 7]) {
      expect(new AmqpFrameGuard(1024).scan(Buffer.concat([header(0), frame(size, 4)]))).toBe(false);
    }
  });

  it('takes a second protocol header only once, and only after a SASL header', () => {
    expect(new AmqpFrameGuard(1024).scan(Buffer.concat([header(0), frame(8), header(0)]))).toBe(
      false,
    );
    expect(
      new AmqpFrameGuard(1024).scan(Buffer.concat([header(3), frame(8), header(0), header(0)])),
    ).toBe(false);
  });

  describe('deliveries split over transfers', () => {
    // An AMQP frame (doff 2, type 0) on `channel` holding a transfer of `handle` with `more`.
    const transfer = (channel: number, handle: number, more: boolean, payload: number): Buffer => {
      const fields = Buffer.from([
        0x52,
        handle,
        0x52,
        1,
        0xa0,
        1,
        7,
        0x43,
        0x42,
        more ? 0x41 : 0x42,
      ]);
      const list = Buffer.concat([Buffer.from([0xc0, fields.length + 1, 6]), fields]);
      const body = Buffer.concat([Buffer.from([0x00, 0x53, 0x14]), list, Buffer.alloc(payload)]);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(8 + body.length, 0);
      head[4] = 2;
      head.writeUInt16BE(channel, 6);
      return Buffer.concat([head, body]);
    };

    it('counts incomplete deliveries per link and forgets each once it completes', () => {
      const guard = new AmqpFrameGuard(4096, 10_000);
      expect(guard.scan(header(0))).toBe(true);
      for (let n = 0; n < 3; n++) {
        // 2 × ~3 KB pending per round on two links, completed each round: never beyond 10 kB.
        expect(guard.scan(transfer(0, 1, true, 3000))).toBe(true);
        expect(guard.scan(transfer(1, 1, true, 3000))).toBe(true);
        expect(guard.scan(transfer(0, 1, false, 100))).toBe(true);
        expect(guard.scan(transfer(1, 1, false, 100))).toBe(true);
      }
    });

    it('refuses once pending transfers exceed the limit, also when split byte by byte', () => {
      const stream = Buffer.concat([
        header(0),
        ...Array.from({ length: 4 }, () => transfer(0, 2, true, 3000)),
      ]);
      expect(new AmqpFrameGuard(4096, 10_000).scan(stream)).toBe(false);
      const guard = new AmqpFrameGuard(4096, 10_000);
      const results = [...stream].map((byte) => guard.scan(Buffer.from([byte])));
      expect(results.includes(false)).toBe(true);
      // Other links' complete messages do not reset another link's pending bytes.
      const mixed = new AmqpFrameGuard(4096, 10_000);
      expect(mixed.scan(header(0))).toBe(true);
      const verdicts = [0, 1, 2, 3].flatMap(() => [
        mixed.scan(transfer(0, 2, true, 3000)),
        mixed.scan(transfer(0, 3, false, 10)),
      ]);
      expect(verdicts.includes(false)).toBe(true);
    });
  });
});
