import {
  ticketRooms,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type TicketSummary,
} from '@gridline/core';
import type { TicketChange } from '@gridline/db';
import type { Server } from 'socket.io';
import type { TicketPublisher } from '../tickets/ports.ts';

export class SocketTicketPublisher implements TicketPublisher {
  constructor(
    private readonly io: Server<ClientToServerEvents, ServerToClientEvents>,
    private readonly cityRegionId: () => number | null,
  ) {}

  publishTo(change: TicketChange, targets: string[]): void {
    if (targets.length === 0) return;
    for (const event of change.events) this.io.to(targets).emit(event.type, event);
  }

  publish(change: TicketChange, before?: TicketSummary): void {
    const city = this.cityRegionId();
    const targets = [
      ...new Set([
        ...ticketRooms(change.ticket, city),
        ...(before ? ticketRooms(before, city) : []),
      ]),
    ];
    for (const event of change.events) {
      this.io.to(targets).emit(event.type, event);
    }
  }
}
