import * as mqtt from 'mqtt-packet';

import { PacketFramer } from './packet-framer';

const ping = mqtt.generate({ cmd: 'pingreq' });
const publish = (size: number): Buffer =>
  mqtt.generate({
    cmd: 'publish',
    topic: 't',
    payload: Buffer.alloc(size),
    qos: 0,
    dup: false,
    retain: false,
  });

describe(PacketFramer.name, () => {
  it('stops after the requested number of packets', () => {
    const sut = new PacketFramer(1_000);
    const bytes = Buffer.concat([ping, publish(10), ping]);
    const first = sut.scan(bytes, 0, 1);
    expect(first).toBe(ping.length);
    const second = sut.scan(bytes, first, 1);
    expect(second).toBe(ping.length + publish(10).length);
    expect(sut.scan(bytes, second, 10)).toBe(bytes.length);
  });

  it('follows packets split across chunks, byte by byte', () => {
    const sut = new PacketFramer(1_000);
    const bytes = Buffer.concat([publish(300), ping]);
    let completed = 0;
    for (let i = 0; i < bytes.length; i++) {
      const chunk = bytes.subarray(i, i + 1);
      expect(sut.scan(chunk, 0, 1)).toBe(1);
      if (i === publish(300).length - 1 || i === bytes.length - 1) completed++;
    }
    expect(completed).toBe(2);
    // A new packet starts cleanly afterwards.
    expect(sut.scan(ping, 0, 1)).toBe(ping.length);
  });

  it('refuses a packet declaring more than the limit before its body arrives', () => {
    const sut = new PacketFramer(100);
    const header = publish(200).subarray(0, 3);
    expect(sut.scan(header, 0, 1)).toBe(-1);
  });

  it('refuses a remaining length of more than four bytes', () => {
    const sut = new PacketFramer(Number.MAX_SAFE_INTEGER);
    expect(sut.scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), 0, 1)).toBe(-1);
  });
});
