import { encode as encodeMsgpack } from 'notepack.io';
import { describe, expect, it } from 'vitest';
import { createSocketWireParser } from './socket-wire.ts';

const socketWireParser = createSocketWireParser();

const broadcast = [
  'uid-1',
  {
    type: 2,
    nsp: '/',
    data: ['ticket.assigned', { id: 7, ticketId: 42, payload: { level: 0, note: '楼道漏水' } }],
  },
  { rooms: ['user:3', 'region:12'], except: [], flags: {} },
];

describe('the Socket.IO messages between processes', () => {
  it('are written as JSON and read back as they were', () => {
    const written = socketWireParser.encode(broadcast);
    expect(typeof written).toBe('string');
    expect(JSON.parse(written)).toEqual(broadcast);
    expect(socketWireParser.decode(Buffer.from(written))).toEqual(broadcast);
    expect(socketWireParser.decode(written)).toEqual(broadcast);
  });

  it('reads msgpack from a process of an older version', () => {
    expect(socketWireParser.decode(encodeMsgpack(broadcast))).toEqual(broadcast);
  });

  it('reads a request object (the adapter’s requests between servers)', () => {
    const request = { uid: 'uid-2', requestId: 'abc', type: 3, opts: { rooms: [] } };
    expect(socketWireParser.decode(Buffer.from(socketWireParser.encode(request)))).toEqual(request);
  });

  it('turns what it cannot read into an empty message instead of throwing', () => {
    expect(socketWireParser.decode(Buffer.from('[not json'))).toEqual([]);
    expect(socketWireParser.decode(Buffer.from([0xc1]))).toEqual([]);
    expect(socketWireParser.decode(Buffer.alloc(0))).toEqual([]);
  });

  it('answers a broadcast of its own adapter with its uid alone, and reads every other in full', () => {
    const parser = createSocketWireParser();
    parser.ignoreBroadcastsOf('uid-1');
    expect(parser.decode(Buffer.from(parser.encode(broadcast)))).toEqual(['uid-1']);
    expect(parser.decode(parser.encode(broadcast))).toEqual(['uid-1']);
    const other = ['uid-10', broadcast[1], broadcast[2]];
    expect(parser.decode(Buffer.from(parser.encode(other)))).toEqual(other);
    const request = { uid: 'uid-1', requestId: 'abc', type: 3 };
    expect(parser.decode(Buffer.from(parser.encode(request)))).toEqual(request);
    expect(parser.decode(encodeMsgpack(broadcast))).toEqual(broadcast);
  });
});
