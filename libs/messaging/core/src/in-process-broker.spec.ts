import { InProcessBroker } from './in-process-broker';
import type { ReceivedMessage } from './message';

describe(InProcessBroker.name, () => {
  it('delivers to every subscriber of the destination, and only after it subscribed', async () => {
    const sut = new InProcessBroker();
    const a: string[] = [];
    const b: string[] = [];
    await sut.sender.send('t', { body: Buffer.from('early') }, { awaitAck: true });
    await sut.receiver.subscribe('t', async (m) => {
      a.push(m.body?.toString() ?? '');
    });
    const sub = await sut.receiver.subscribe('t', async (m) => {
      b.push(m.body?.toString() ?? '');
    });
    await sut.receiver.subscribe('other', async () => {
      throw new Error('must not be called');
    });
    await sut.sender.send('t', { body: Buffer.from('one') }, { awaitAck: true });
    await sub.close();
    await sut.sender.send('t', { body: Buffer.from('two') }, { awaitAck: true });
    await new Promise((r) => setImmediate(r));
    expect(a).toEqual(['one', 'two']);
    expect(b).toEqual(['one']);
  });

  it('retries a failing handler', async () => {
    const sut = new InProcessBroker(3);
    let calls = 0;
    const done = new Promise<ReceivedMessage>((resolve) => {
      void sut.receiver.subscribe('t', async (m) => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        resolve(m);
      });
    });
    await sut.sender.send('t', { key: 'k' }, { awaitAck: true });
    expect((await done).key).toBe('k');
    expect(calls).toBe(3);
  });
});
