import { decode as decodeMsgpack } from 'notepack.io';
import { socketWireEncoder } from '@gridline/core';

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;

/**
 * The Redis adapter's parser (see core's socket-wire.ts): writes JSON, reads
 * JSON or msgpack. A message it cannot read comes back as an empty array,
 * which the adapter ignores (no uid, no packet) instead of throwing inside
 * the Redis client's message handler.
 */
export const socketWireParser = {
  encode: socketWireEncoder.encode,
  decode(message: Buffer | string): unknown {
    try {
      const first = typeof message === 'string' ? message.charCodeAt(0) : message[0];
      if (first === OPEN_BRACKET || first === OPEN_BRACE) return JSON.parse(message.toString());
      return decodeMsgpack(typeof message === 'string' ? Buffer.from(message) : message);
    } catch {
      return [];
    }
  },
};
