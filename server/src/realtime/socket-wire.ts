import { decode as decodeMsgpack } from 'notepack.io';
import { socketWireEncoder } from '@gridline/core';

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
/** Enough of a message's start to hold `["<uid>"` (the adapter's uids are 6 characters). */
const UID_HEAD = 40;

export interface SocketWireParser {
  encode(message: unknown): string;
  decode(message: Buffer | string): unknown;
  /**
   * The adapter whose own broadcasts come back from Redis: they are answered
   * `[uid]`, which the adapter drops as its own, without reading the packet.
   */
  ignoreBroadcastsOf(uid: string): void;
}

/**
 * The Redis adapter's parser (see core's socket-wire.ts): writes JSON, reads
 * JSON or msgpack. A message it cannot read comes back as an empty array,
 * which the adapter ignores (no uid, no packet) instead of throwing inside
 * the Redis client's message handler.
 *
 * Every broadcast a server publishes comes back to it from Redis, and the
 * adapter decodes it only to find its own uid first: a ticket's events would
 * be parsed twice by the process that sent them. Its own are recognised by
 * their opening `["<uid>"` instead.
 */
export function createSocketWireParser(): SocketWireParser {
  const own = new Set<string>();

  const ownBroadcast = (message: Buffer | string): string | null => {
    if (own.size === 0) return null;
    const head =
      typeof message === 'string'
        ? message.slice(0, UID_HEAD)
        : message.toString('latin1', 0, UID_HEAD);
    if (head.charCodeAt(0) !== OPEN_BRACKET || head.charCodeAt(1) !== QUOTE) return null;
    const end = head.indexOf('"', 2);
    const uid = end < 0 ? null : head.slice(2, end);
    return uid !== null && own.has(uid) ? uid : null;
  };

  return {
    encode: socketWireEncoder.encode,
    decode(message: Buffer | string): unknown {
      try {
        const uid = ownBroadcast(message);
        if (uid !== null) return [uid];
        const first = typeof message === 'string' ? message.charCodeAt(0) : message[0];
        if (first === OPEN_BRACKET || first === OPEN_BRACE) return JSON.parse(message.toString());
        return decodeMsgpack(typeof message === 'string' ? Buffer.from(message) : message);
      } catch {
        return [];
      }
    },
    ignoreBroadcastsOf(uid: string): void {
      own.add(uid);
    },
  };
}
