import type {
  ClientToServerEvents,
  PositionUpdatedPayload,
  ServerToClientEvents,
} from '@gridline/core';
import type { Server } from 'socket.io';
import type { PositionPublisher } from './ports.ts';

/** `position.updated` to rooms, through the Socket.IO adapter (every server process). */
export class SocketPositionPublisher implements PositionPublisher {
  constructor(private readonly io: Server<ClientToServerEvents, ServerToClientEvents>) {}

  publish(targets: string[], payload: PositionUpdatedPayload): void {
    if (targets.length > 0) this.io.to(targets).emit('position.updated', payload);
  }
}
