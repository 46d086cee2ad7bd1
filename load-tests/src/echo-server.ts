/**
 * The floor's Socket.IO half: a bare Socket.IO server (no auth, no adapter, no
 * database) that broadcasts every `echo` to a room its client sits in. Run by
 * bench.ts as a child process; reports its port over IPC and exits on `stop`
 * or when the parent goes away.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { isMessage, type FromEchoServer, type ToEchoServer } from './protocol.ts';

const MAX_LIFETIME_MS = 30 * 60 * 1000;
const ROOM = 'floor';

const httpServer = createServer();
const io = new Server(httpServer, { path: '/socket.io', serveClient: false });

io.on('connection', (socket) => {
  void socket.join(ROOM);
  socket.on('echo', (seq: unknown) => {
    io.to(ROOM).emit('echoed', seq);
  });
});

function stop(): void {
  io.disconnectSockets(true);
  void io.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('message', (message: unknown) => {
  if (isMessage<ToEchoServer>(message) && message.type === 'stop') stop();
});
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, MAX_LIFETIME_MS).unref();

httpServer.listen(0, '127.0.0.1', () => {
  const { port } = httpServer.address() as AddressInfo;
  const message: FromEchoServer = { type: 'listening', port };
  process.send?.(message);
});
