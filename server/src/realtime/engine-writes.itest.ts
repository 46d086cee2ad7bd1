import { createServer, type Server as HttpServer } from 'node:http';
import { Socket as TcpSocket, type AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { coalesceEngineWrites } from './engine-writes.ts';

interface Running {
  http: HttpServer;
  io: Server;
  url: string;
  clients: ClientSocket[];
}

const running: Running[] = [];

/** Heartbeats every `pingInterval` ms: long by default, so that only the test's events are written. */
async function start(
  coalesce: boolean,
  pingInterval = 60_000,
  onFlushError: (error: unknown) => void = (error) => {
    throw error;
  },
): Promise<Running> {
  const http = createServer();
  const io = new Server(http, { pingInterval, pingTimeout: 200 });
  if (coalesce) coalesceEngineWrites(io.engine, onFlushError);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server = { http, io, url: `http://127.0.0.1:${port}`, clients: [] };
  running.push(server);
  return server;
}

/** A client connected over `transport`, and the server's side of its connection. */
async function join(server: Running, transport: 'websocket' | 'polling') {
  const connected = new Promise<ServerSocket>((resolve) => server.io.once('connection', resolve));
  const client = connect(server.url, { transports: [transport], reconnection: false });
  server.clients.push(client);
  const socket = await connected;
  await socket.join('member');
  await vi.waitFor(() => expect(client.connected).toBe(true));
  return { client, socket };
}

/** The TCP socket under a WebSocket connection, with its writes counted. */
function tcpWrites(socket: ServerSocket) {
  const transport = socket.conn.transport as unknown as { socket: { _socket: TcpSocket } };
  const tcp = transport.socket._socket as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  return { write: vi.spyOn(tcp, '_write'), writev: vi.spyOn(tcp, '_writev') };
}

function received(client: ClientSocket): string[] {
  const events: string[] = [];
  client.onAny((event: string, payload: { n: number }) => events.push(`${event}:${payload.n}`));
  return events;
}

const TICKET_EVENTS = ['ticket.created:1', 'ticket.assigned:2'];

/** A ticket's two events to the member's room, in one turn. */
function pushTicket(server: Running): void {
  server.io.to('member').emit('ticket.created', { n: 1 });
  server.io.to('member').emit('ticket.assigned', { n: 2 });
}

/** The writes it took one client to receive a ticket's events. */
async function writesForOneTicket(coalesce: boolean) {
  const server = await start(coalesce);
  const { client, socket } = await join(server, 'websocket');
  const events = received(client);
  const writes = tcpWrites(socket);
  pushTicket(server);
  await vi.waitFor(() => expect(events).toEqual(TICKET_EVENTS));
  return writes;
}

afterEach(async () => {
  for (const server of running.splice(0)) {
    for (const client of server.clients) client.close();
    await server.io.close();
  }
  vi.restoreAllMocks();
});

describe('coalesceEngineWrites', () => {
  it("sends a turn's events to a WebSocket in one write, in order", async () => {
    const writes = await writesForOneTicket(true);
    expect(writes.write).not.toHaveBeenCalled();
    expect(writes.writev).toHaveBeenCalledTimes(1);
    // Two WebSocket frames, each a header and a payload.
    expect((writes.writev.mock.calls[0]![0] as unknown[]).length).toBe(4);
  });

  it('without it, the same two events take two writes', async () => {
    const writes = await writesForOneTicket(false);
    expect(writes.write.mock.calls.length + writes.writev.mock.calls.length).toBe(2);
  });

  it('gives a later turn its own write, and keeps every socket of the room apart', async () => {
    const server = await start(true);
    const first = await join(server, 'websocket');
    const second = await join(server, 'websocket');
    const firstEvents = received(first.client);
    const secondEvents = received(second.client);
    const firstWrites = tcpWrites(first.socket);

    server.io.to('member').emit('ticket.created', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    server.io.to('member').emit('ticket.assigned', { n: 2 });

    await vi.waitFor(() =>
      expect([firstEvents, secondEvents]).toEqual([TICKET_EVENTS, TICKET_EVENTS]),
    );
    expect(firstWrites.write.mock.calls.length + firstWrites.writev.mock.calls.length).toBe(2);
  });

  it('keeps heartbeats, long polling and the last packet before a disconnect working', async () => {
    const server = await start(true, 40);
    const websocket = await join(server, 'websocket');
    const polling = await join(server, 'polling');
    const pollingEvents = received(polling.client);
    const reasons: string[] = [];
    websocket.client.on('disconnect', (reason) => reasons.push(reason));
    const websocketEvents = received(websocket.client);

    // Several ping intervals (40 ms, answered within 200 ms) pass with both still connected.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([websocket.client.connected, polling.client.connected]).toEqual([true, true]);

    pushTicket(server);
    websocket.socket.disconnect(true);

    await vi.waitFor(() => expect(pollingEvents).toEqual(TICKET_EVENTS));
    await vi.waitFor(() => expect(reasons).toEqual(['io server disconnect']));
    expect(websocketEvents).toEqual(TICKET_EVENTS);
  });

  it('closes a connection whose write fails and still writes to the others of the turn', async () => {
    const errors: unknown[] = [];
    const server = await start(true, 60_000, (error) => errors.push(error));
    const broken = await join(server, 'websocket');
    const healthy = await join(server, 'websocket');
    const healthyEvents = received(healthy.client);
    const reasons: string[] = [];
    broken.client.on('disconnect', (reason) => reasons.push(reason));
    const transport = broken.socket.conn.transport as unknown as { send: () => void };
    transport.send = () => {
      throw new Error('transport broke');
    };

    pushTicket(server);

    await vi.waitFor(() => expect(healthyEvents).toEqual(TICKET_EVENTS));
    expect(errors).toEqual([new Error('transport broke')]);
    await vi.waitFor(() => expect(reasons).toEqual(['transport close']));
  });

  it('writes the pushes before the answer to the request that caused them', async () => {
    const server = await start(true);
    const { client, socket } = await join(server, 'websocket');
    const events = received(client);
    const pushSocket = (socket.conn.transport as unknown as { socket: { _socket: TcpSocket } })
      .socket._socket;
    let answerSocket: unknown = null;
    server.http.on('request', (request, response) => {
      answerSocket = request.socket;
      void (async () => {
        await Promise.resolve();
        pushTicket(server);
        await Promise.resolve();
        response.end('filed');
      })();
    });
    const order: string[] = [];
    const record = (socket: TcpSocket) => {
      if (socket === pushSocket) order.push('push');
      else if (socket === answerSocket) order.push('answer');
    };
    const writev = TcpSocket.prototype._writev!;
    const write = TcpSocket.prototype._write;
    vi.spyOn(TcpSocket.prototype, '_writev').mockImplementation(function (
      this: TcpSocket,
      ...args
    ) {
      record(this);
      return writev.apply(this, args);
    });
    vi.spyOn(TcpSocket.prototype, '_write').mockImplementation(function (this: TcpSocket, ...args) {
      record(this);
      return write.apply(this, args);
    });

    const answer = await fetch(`${server.url}/tickets`, { method: 'POST' });
    expect(await answer.text()).toBe('filed');
    await vi.waitFor(() => expect(events).toEqual(TICKET_EVENTS));
    expect(order).toEqual(['push', 'answer']);
  });
});
