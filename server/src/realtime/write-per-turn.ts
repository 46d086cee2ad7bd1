import type { Redis } from 'ioredis';

/**
 * Makes the commands a client sends in one turn of the event loop leave in one
 * write: its socket is corked at the turn's first command and uncorked once
 * the turn's synchronous code and microtasks have run. This is what ioredis's
 * auto-pipelining gave the Socket.IO adapter's publishes (a ticket's events in
 * one write, one wake-up of Redis) without its ioredis Pipeline per turn, which
 * outlived two of the server's young-generation GCs every time and was promoted
 * (~1 MB/s of old-space garbage at 200 tickets/s).
 */
export function writeOncePerTurn(client: Redis): void {
  let corked = false;
  const send = client.sendCommand.bind(client);
  client.sendCommand = (command, stream) => {
    if (!corked && client.status === 'ready') {
      const socket = client.stream;
      socket.cork();
      corked = true;
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    return send(command, stream);
  };
}
