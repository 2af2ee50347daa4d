import { describe, expect, it } from 'vitest';
import { CoalescingSender } from '../../../../src/adapters/kafka/coalescing-sender.ts';

/** A send that stays on the wire until the test lets it finish. */
function controlledSend() {
  const sends: { items: readonly string[]; finish: (error?: Error) => void }[] = [];
  const send = (items: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      sends.push({ items, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { sends, send };
}

const limits = { maxItems: 3, maxBytes: 10, sizeOf: (item: string) => item.length };

describe('CoalescingSender', () => {
  it('sends a lone item at once, and what arrives while it is on the wire together next, in order', async () => {
    const { sends, send } = controlledSend();
    const sender = new CoalescingSender(send, limits);
    const first = sender.send('a');
    expect(sends.map((s) => s.items)).toEqual([['a']]);
    const rest = [sender.send('b'), sender.send('c')];
    expect(sends).toHaveLength(1);
    sends[0]?.finish();
    await first;
    expect(sends.map((s) => s.items)).toEqual([['a'], ['b', 'c']]);
    sends[1]?.finish();
    await Promise.all(rest);
  });

  it('keeps a send within the item and byte limits, and sends an item over the byte limit alone', async () => {
    const sent: (readonly string[])[] = [];
    const sender = new CoalescingSender((items: readonly string[]) => {
      sent.push(items);
      return Promise.resolve();
    }, limits);
    await Promise.all(['x', 'b', 'c', 'd', 'e', 'ffffff', 'gggggg', 'twelve-bytes', 'h'].map((item) => sender.send(item)));
    expect(sent).toEqual([['x'], ['b', 'c', 'd'], ['e', 'ffffff'], ['gggggg'], ['twelve-bytes'], ['h']]);
  });

  it('fails every caller of a failed send, and carries on with the next', async () => {
    const { sends, send } = controlledSend();
    const sender = new CoalescingSender(send, limits);
    const first = sender.send('a');
    const second = sender.send('b');
    const third = sender.send('c');
    sends[0]?.finish();
    await first;
    sends[1]?.finish(new Error('broker gone'));
    await expect(second).rejects.toThrow('broker gone');
    await expect(third).rejects.toThrow('broker gone');
    const fourth = sender.send('d');
    expect(sends.at(-1)?.items).toEqual(['d']);
    sends.at(-1)?.finish();
    await fourth;
  });

  it('fails the callers when the send throws before it returns a promise', async () => {
    const sender = new CoalescingSender<string>(() => {
      throw new Error('not connected');
    }, limits);
    await expect(sender.send('a')).rejects.toThrow('not connected');
  });
});
