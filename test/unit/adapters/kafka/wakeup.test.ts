import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Wakeup } from '../../../../src/adapters/kafka/wakeup.ts';

describe('Wakeup', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('wakes every waiter at once, and clears their timers', async () => {
    const wakeup = new Wakeup();
    const woken: string[] = [];
    const waits = ['a', 'b'].map((name) => wakeup.wait(60_000).then(() => woken.push(name)));
    expect(vi.getTimerCount()).toBe(2);
    wakeup.notify();
    await Promise.all(waits);
    expect(woken).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a waiter go after its timeout, and a later notify does not touch it', async () => {
    const wakeup = new Wakeup();
    let done = false;
    const wait = wakeup.wait(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await wait;
    expect(done).toBe(true);
    expect(() => wakeup.notify()).not.toThrow();
  });

  it('does not wake a waiter that came after the notify', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    let done = false;
    const wait = wakeup.wait(1_000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toBe(false);
    wakeup.notify();
    await wait;
    expect(done).toBe(true);
  });
});
