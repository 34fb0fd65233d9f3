import { MessagingError } from './messaging.error';
import { backoffDelay, isRetryable, retry } from './retry';

describe(retry.name, () => {
  const fast = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2 };

  it('retries retryable errors until success', async () => {
    let calls = 0;
    const sut = await retry(async () => {
      calls++;
      if (calls < 3) throw new MessagingError('UNAVAILABLE', 'down', true);
      return 'ok';
    }, fast);
    expect(sut).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry a non-retryable error', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new MessagingError('REJECTED', 'no', false);
      }, fast),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new MessagingError('TIMEOUT', `t${String(calls)}`, true);
      }, fast),
    ).rejects.toThrow('t4');
    expect(calls).toBe(4);
  });
});

describe(backoffDelay.name, () => {
  it('stays within the exponential cap', () => {
    for (let n = 0; n < 10; n++) {
      const d = backoffDelay(n, 10, 500);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.min(500, 10 * 2 ** n));
    }
  });
});

describe(isRetryable.name, () => {
  it('reads the retryable flag of any error', () => {
    expect(isRetryable({ retryable: true })).toBe(true);
    expect(isRetryable(new Error('x'))).toBe(false);
  });
});
