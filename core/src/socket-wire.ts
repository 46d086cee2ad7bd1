/*
 * How Socket.IO broadcasts travel between processes over Redis: the server's
 * Redis adapter publishes every broadcast for the other server processes, and
 * the workers' emitter publishes theirs. Both sides must agree.
 *
 * JSON, not the libraries' default msgpack: every payload here is JSON already
 * (events, summaries, positions; nothing binary), and the msgpack encoder,
 * written in JavaScript, allocated ~7 KB per broadcast of a ticket's event, the
 * largest single share of the server's allocation per ticket (BENCHMARKS.md,
 * 2026-12-07). The readers also accept msgpack, from processes of an older
 * version during a rolling restart.
 */

/** The Redis channel prefix the adapter and the emitter share. */
export function socketRedisKey(redisPrefix: string): string {
  return `${redisPrefix}:sio`;
}

/** The encoder for the adapter and the emitter: the message as JSON text. */
export const socketWireEncoder = {
  encode(message: unknown): string {
    return JSON.stringify(message);
  },
};
