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
});
