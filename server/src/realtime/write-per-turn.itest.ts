import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULTS } from '@gridline/core';
import { writeOncePerTurn } from './write-per-turn.ts';

const REDIS_URL = process.env.REDIS_URL ?? DEFAULTS.redisUrl;

describe('writeOncePerTurn', () => {
  const channel = `test-write-per-turn-${randomBytes(4).toString('hex')}`;
  let pub: Redis;
  let sub: Redis;
  const received: string[] = [];

  beforeAll(async () => {
    pub = new Redis(REDIS_URL);
    sub = new Redis(REDIS_URL);
    await sub.subscribe(channel);
    sub.on('message', (_channel: string, message: string) => received.push(message));
    await pub.ping();
    writeOncePerTurn(pub);
  });
  afterAll(async () => {
    await Promise.all([pub?.quit(), sub?.quit()]);
  });

  it("sends one turn's publishes in one write, in order, and answers each", async () => {
    const socket = pub.stream as unknown as { _writev: (...args: unknown[]) => void };
    const writev = vi.spyOn(socket, '_writev');
    const replies = [pub.publish(channel, 'first'), pub.publish(channel, 'second')];
    expect(pub.stream.writableCorked).toBe(1);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(pub.stream.writableCorked).toBe(0);
    expect(writev).toHaveBeenCalledTimes(1);
    expect((writev.mock.calls[0]![0] as unknown[]).length).toBe(2);
    expect(await Promise.all(replies)).toEqual([1, 1]);
    await vi.waitFor(() => expect(received).toEqual(['first', 'second']));
    writev.mockRestore();
  });

  it('leaves a later turn its own write', async () => {
    await pub.publish(channel, 'third');
    expect(pub.stream.writableCorked).toBe(0);
    await vi.waitFor(() => expect(received).toEqual(['first', 'second', 'third']));
  });
});
