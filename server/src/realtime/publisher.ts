import {
  rooms,
  ticketRooms,
  trackedEventOf,
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

  /** Tracking rooms (`track:<id>`) among the targets get the public view of each event. */
  publishTo(change: TicketChange, targets: string[]): void {
    const trackRooms = targets.filter((room) => room.startsWith('track:'));
    const staffRooms = targets.filter((room) => !room.startsWith('track:'));
    for (const event of change.events) {
      if (staffRooms.length > 0) this.io.to(staffRooms).emit(event.type, event);
      const tracked = trackRooms.length > 0 ? trackedEventOf(event) : null;
      if (tracked) this.io.to(trackRooms).emit('ticket.tracked', tracked);
    }
  }

  publish(change: TicketChange, before?: TicketSummary): void {
    const city = this.cityRegionId();
    const targets = [
      ...new Set([
        ...ticketRooms(change.ticket, city),
        ...(before ? ticketRooms(before, city) : []),
      ]),
    ];
    // Nobody can follow a ticket being filed: its tracking link is in the answer to
    // the request that files it, and that answer goes out after this push.
    const tracked = !change.events.some((event) => event.type === 'ticket.created');
    for (const event of change.events) {
      this.io.to(targets).emit(event.type, event);
      const publicView = tracked ? trackedEventOf(event) : null;
      if (publicView) this.io.to(rooms.track(change.ticket.id)).emit('ticket.tracked', publicView);
    }
  }
}
