import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { AdminChangeBus, type AdminChange } from './change-bus.ts';

/** A tiny in-memory Redis: counters and pub/sub, with a switch to lose messages. */
class FakeBroker {
  readonly values = new Map<string, string>();
  readonly subscribers: {
    channels: Set<string>;
    listener: (channel: string, message: string) => void;
  }[] = [];
  dropMessages = false;

  client(): Redis {
    const subscriber = { channels: new Set<string>(), listener: (_c: string, _m: string) => {} };
    const client = {
      incr: async (key: string) => {
        const next = Number(this.values.get(key) ?? '0') + 1;
        this.values.set(key, String(next));
        return next;
      },
      get: async (key: string) => {
        return this.values.get(key) ?? null;
      },
      publish: async (channel: string, message: string) => {
        if (this.dropMessages) return 0;
        for (const sub of this.subscribers)
          if (sub.channels.has(channel)) sub.listener(channel, message);
        return this.subscribers.length;
      },
      subscribe: async (channel: string) => {
        subscriber.channels.add(channel);
        this.subscribers.push(subscriber);
        return 1;
      },
      on(event: string, listener: (channel: string, message: string) => void) {
        if (event === 'message') subscriber.listener = listener;
        return client;
      },
      disconnect() {},
    };
    return client as unknown as Redis;
  }
}

function processWith(broker: FakeBroker) {
  const reloads: AdminChange[] = [];
  const bus = new AdminChangeBus(
    broker.client(),
    broker.client(),
    'test',
    {
      regions: () => void reloads.push('regions'),
      categories: () => void reloads.push('categories'),
      sessions: () => void reloads.push('sessions'),
    },
    pino({ level: 'silent' }),
  );
  return { bus, reloads };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AdminChangeBus', () => {
  it('reloads in the announcing process before it returns, and in every other process once', async () => {
    const broker = new FakeBroker();
    const a = processWith(broker);
    const b = processWith(broker);
    const c = processWith(broker);
    await Promise.all([a.bus.start(), b.bus.start(), c.bus.start()]);

    await a.bus.announce('regions');
    expect(a.reloads).toEqual(['regions']);
    await settle();
    expect(b.reloads).toEqual(['regions']);
    expect(c.reloads).toEqual(['regions']);

    await b.bus.announce('categories');
    await settle();
    expect(a.reloads).toEqual(['regions', 'categories']);
    expect(b.reloads).toEqual(['regions', 'categories']);

    // Nothing new: catching up reloads nothing.
    await c.bus.catchUp();
    expect(c.reloads).toEqual(['regions', 'categories']);
    await Promise.all([a.bus.close(), b.bus.close(), c.bus.close()]);
  });

  it('catches up on a change whose message was lost', async () => {
    const broker = new FakeBroker();
    const a = processWith(broker);
    const b = processWith(broker);
    await Promise.all([a.bus.start(), b.bus.start()]);
    broker.dropMessages = true;
    await a.bus.announce('categories');
    await settle();
    expect(b.reloads).toEqual([]);
    await b.bus.catchUp();
    expect(b.reloads).toEqual(['categories']);
    await a.bus.catchUp();
    expect(a.reloads).toEqual(['categories']);
    await Promise.all([a.bus.close(), b.bus.close()]);
  });

  it('ignores messages that are not its own kind', async () => {
    const broker = new FakeBroker();
    const a = processWith(broker);
    await a.bus.start();
    await broker.client().publish('test:admin:changed', 'not json');
    await broker
      .client()
      .publish('test:admin:changed', JSON.stringify({ change: 'users', origin: 'x' }));
    await settle();
    expect(a.reloads).toEqual([]);
    await a.bus.close();
  });
});
