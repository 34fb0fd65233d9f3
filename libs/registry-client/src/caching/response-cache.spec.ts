import { type CacheDirective, maxAge, NO_CACHE } from '@tessera/registry-api';

import { type Cacheable, ResponseCache } from './response-cache';

class Clock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** A loader that counts its calls and can be held open until the test settles it. */
class Loader {
  calls = 0;
  private pending: { resolve: (v: Cacheable<string>) => void; reject: (e: unknown) => void }[] = [];

  constructor(
    private readonly directive: CacheDirective | undefined,
    private readonly tags: readonly string[] = ['t'],
  ) {}

  /** Resolves at once with `value-<n>`. */
  readonly immediate = (): Promise<Cacheable<string>> => {
    this.calls++;
    return Promise.resolve(this.cacheable(`value-${String(this.calls)}`));
  };

  /** Stays pending until {@link settle} or {@link fail}. */
  readonly held = (): Promise<Cacheable<string>> => {
    this.calls++;
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  };

  settle(value: string, tags = this.tags): void {
    this.pending.shift()?.resolve({ ...this.cacheable(value), tags });
  }

  settleLatest(value: string): void {
    this.pending.pop()?.resolve(this.cacheable(value));
  }

  fail(error: unknown): void {
    this.pending.shift()?.reject(error);
  }

  private cacheable(result: string): Cacheable<string> {
    return { result, cacheDirective: this.directive, tags: this.tags };
  }
}

describe(ResponseCache.name, () => {
  let clock: Clock;
  let sut: ResponseCache<string>;

  beforeEach(() => {
    clock = new Clock();
    sut = new ResponseCache<string>({ now: clock.now });
  });

  describe('time to live', () => {
    it('answers from the cache within max-age and loads again after it', async () => {
      const loader = new Loader(maxAge(60));

      expect(await sut.get('k', loader.immediate)).toBe('value-1');
      clock.advance(59.999);
      expect(await sut.get('k', loader.immediate)).toBe('value-1');
      clock.advance(0.001);
      expect(await sut.get('k', loader.immediate)).toBe('value-2');

      expect(loader.calls).toBe(2);
      expect(sut.stats()).toMatchObject({ hits: 1, misses: 2, expirations: 1, size: 1 });
    });

    it.each([
      ['no-cache', NO_CACHE],
      ['no directive', undefined],
      ['max-age=0', maxAge(0)],
    ])('does not cache a result with %s', async (_name, directive) => {
      const loader = new Loader(directive);

      await sut.get('k', loader.immediate);
      expect(await sut.get('k', loader.immediate)).toBe('value-2');
      expect(sut.stats().size).toBe(0);
    });

    it('caps max-age at 600 s by default', async () => {
      const loader = new Loader(maxAge(86_400));

      await sut.get('k', loader.immediate);
      clock.advance(599);
      expect(await sut.get('k', loader.immediate)).toBe('value-1');
      clock.advance(1);
      expect(await sut.get('k', loader.immediate)).toBe('value-2');
    });

    it('honours a configured cap', async () => {
      sut = new ResponseCache<string>({ now: clock.now, maxAgeCapSeconds: 10 });
      const loader = new Loader(maxAge(60));

      await sut.get('k', loader.immediate);
      clock.advance(10);
      expect(await sut.get('k', loader.immediate)).toBe('value-2');
    });

    it('caches nothing from a failed load', async () => {
      const loader = new Loader(maxAge(60));
      const failing = (): Promise<Cacheable<string>> => Promise.reject(new Error('boom'));

      await expect(sut.get('k', failing)).rejects.toThrow('boom');
      expect(await sut.get('k', loader.immediate)).toBe('value-1');
    });

    it('turns a loader throwing synchronously into a rejection', async () => {
      const throwing = (): Promise<Cacheable<string>> => {
        throw new Error('sync');
      };

      await expect(sut.get('k', throwing)).rejects.toThrow('sync');
      expect(await sut.get('k', new Loader(maxAge(60)).immediate)).toBe('value-1');
    });
  });

  describe('size bound', () => {
    it('evicts the least recently used entry', async () => {
      sut = new ResponseCache<string>({ now: clock.now, maxEntries: 2 });
      const loader = new Loader(maxAge(60));

      await sut.get('a', loader.immediate);
      await sut.get('b', loader.immediate);
      await sut.get('a', loader.immediate); // a is now more recent than b
      await sut.get('c', loader.immediate);

      expect(sut.stats()).toMatchObject({ size: 2, evictions: 1 });
      expect(await sut.get('a', loader.immediate)).toBe('value-1');
      expect(await sut.get('c', loader.immediate)).toBe('value-3');
      expect(await sut.get('b', loader.immediate)).toBe('value-4');
      expect(loader.calls).toBe(4);
    });

    it('also forgets the tags of evicted entries', async () => {
      sut = new ResponseCache<string>({ now: clock.now, maxEntries: 1 });
      await sut.get('a', new Loader(maxAge(60), ['x']).immediate);
      await sut.get('b', new Loader(maxAge(60), ['y']).immediate);

      expect(sut.invalidate('x')).toBe(0);
      expect(sut.invalidate('y')).toBe(1);
    });

    it('rejects invalid options', () => {
      expect(() => new ResponseCache({ maxEntries: 0 })).toThrow(RangeError);
      expect(() => new ResponseCache({ maxEntries: 1.5 })).toThrow(RangeError);
      expect(() => new ResponseCache({ maxAgeCapSeconds: -1 })).toThrow(RangeError);
    });
  });

  describe('coalescing', () => {
    it('shares one load between concurrent misses for the same key', async () => {
      const loader = new Loader(maxAge(60));

      const first = sut.get('k', loader.held);
      const second = sut.get('k', loader.held);
      const other = sut.get('other', loader.immediate);
      await Promise.resolve();
      loader.settle('shared');

      expect(await first).toBe('shared');
      expect(await second).toBe('shared');
      expect(await other).toBe('value-2');
      expect(loader.calls).toBe(2);
      expect(sut.stats()).toMatchObject({ misses: 2, coalesced: 1 });
    });

    it('rejects every caller sharing a failed load', async () => {
      const loader = new Loader(maxAge(60));

      const first = sut.get('k', loader.held);
      const second = sut.get('k', loader.held);
      await Promise.resolve();
      loader.fail(new Error('down'));

      await expect(first).rejects.toThrow('down');
      await expect(second).rejects.toThrow('down');
      expect(loader.calls).toBe(1);
    });

    it('shares uncacheable loads too, but only while they run', async () => {
      const loader = new Loader(NO_CACHE);

      const first = sut.get('k', loader.held);
      const second = sut.get('k', loader.held);
      await Promise.resolve();
      loader.settle('once');
      await Promise.all([first, second]);
      const third = sut.get('k', loader.held);
      await Promise.resolve();
      loader.settle('again');

      expect(await third).toBe('again');
      expect(loader.calls).toBe(2);
    });
  });

  describe('invalidation', () => {
    it('drops the entries with the tag only', async () => {
      await sut.get('a', new Loader(maxAge(60), ['t1', 'd1']).immediate);
      await sut.get('b', new Loader(maxAge(60), ['t1', 'd2']).immediate);
      await sut.get('c', new Loader(maxAge(60), ['t2']).immediate);

      expect(sut.invalidate('d1')).toBe(1);
      expect(sut.invalidate('t1')).toBe(1);
      expect(sut.stats()).toMatchObject({ size: 1, invalidations: 2 });
      await sut.get('c', new Loader(maxAge(60)).immediate);
      expect(sut.stats().hits).toBe(1);
    });

    it('does not store a result whose tag was invalidated while it loaded', async () => {
      const loader = new Loader(maxAge(60));

      const pending = sut.get('k', loader.held);
      await Promise.resolve();
      sut.invalidate('d1');
      // The tag is only known from the reply, as for the device of a credentials reply.
      loader.settle('stale', ['t1', 'd1']);

      expect(await pending).toBe('stale');
      expect(sut.stats()).toMatchObject({ size: 0, discarded: 1 });
      expect(await sut.get('k', loader.immediate)).toBe('value-2');
    });

    it('stores a result loaded during an unrelated invalidation', async () => {
      const loader = new Loader(maxAge(60));

      const pending = sut.get('k', loader.held);
      await Promise.resolve();
      sut.invalidate('d2');
      loader.settle('fresh', ['t1', 'd1']);
      await pending;

      expect(await sut.get('k', loader.immediate)).toBe('fresh');
    });

    it('stores a result whose load started after the invalidation', async () => {
      const loader = new Loader(maxAge(60));
      const blocker = sut.get('other', loader.held); // keeps a load running throughout
      sut.invalidate('d1');

      expect(await sut.get('k', loader.immediate)).toBe('value-2');
      expect(await sut.get('k', loader.immediate)).toBe('value-2');
      loader.settle('x');
      await blocker;
    });

    it('starts a new load for calls after an invalidation instead of joining the old one', async () => {
      const loader = new Loader(maxAge(60));

      const before = sut.get('k', loader.held);
      await Promise.resolve();
      sut.invalidate('d1');
      const after = sut.get('k', loader.held);
      await Promise.resolve();
      loader.settle('old', ['d1']);
      loader.settle('new', ['d1']);

      expect(await before).toBe('old');
      expect(await after).toBe('new');
      expect(loader.calls).toBe(2);
      expect(await sut.get('k', loader.immediate)).toBe('new');
    });

    it('keeps a newer result when an older load finishes last', async () => {
      const loader = new Loader(maxAge(60));

      const older = sut.get('k', loader.held);
      await Promise.resolve();
      sut.invalidate('unrelated');
      const newer = sut.get('k', loader.held);
      await Promise.resolve();
      loader.settleLatest('newer');
      await newer;
      loader.settle('older');
      await older;

      expect(await sut.get('k', loader.immediate)).toBe('newer');
    });

    it('does not store what was loading while the cache was cleared', async () => {
      const loader = new Loader(maxAge(60));
      await sut.get('a', loader.immediate);

      const pending = sut.get('k', loader.held);
      await Promise.resolve();
      sut.clear();
      loader.settle('stale');
      await pending;

      expect(sut.stats()).toMatchObject({ size: 0, invalidations: 1, discarded: 1 });
    });

    it('forgets old invalidations without losing those that concern running loads', async () => {
      const loader = new Loader(maxAge(60));

      const first = sut.get('first', loader.held);
      await Promise.resolve();
      sut.invalidate('d1');
      const second = sut.get('second', loader.held);
      const third = sut.get('third', loader.held);
      await Promise.resolve();
      loader.settle('first', ['d1']);
      await first;
      sut.invalidate('d2');
      // Enough invalidations to prune those older than every running load (i.e. d1).
      for (let i = 0; i < 1_500; i++) sut.invalidate(`noise-${String(i)}`);
      loader.settle('second', ['d1']);
      loader.settle('third', ['d2']);
      await Promise.all([second, third]);

      expect(sut.stats()).toMatchObject({ discarded: 2, size: 1 });
      expect(await sut.get('second', loader.immediate)).toBe('second');
    });
  });
});
