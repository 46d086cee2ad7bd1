import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import {
  TASK_TIMERS_QUEUE,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type TaskTimerJob,
} from '@gridline/core';
import {
  taskPushes,
  taskTimerJobSpec,
  type PrismaClient,
  type TaskChange,
  type TicketStore,
} from '@gridline/db';
import type { AuthContext } from '../http/types.ts';
import type { Clock, TicketPublisher } from '../tickets/ports.ts';
import type { TicketService } from '../tickets/ticket-service.ts';
import type { TaskDirectory, TaskPublisher, TaskTimerScheduler } from './ports.ts';

/** Task events to their rooms (offers to the volunteer's own room only). */
export class SocketTaskPublisher implements TaskPublisher {
  constructor(
    private readonly io: () => Server<ClientToServerEvents, ServerToClientEvents> | null,
  ) {}

  publish(change: TaskChange): void {
    const io = this.io();
    if (!io) return;
    for (const event of change.events) {
      for (const push of taskPushes(event)) {
        if (push.rooms.length > 0) io.to(push.rooms).emit(push.event.type, push.event);
      }
    }
  }
}

/** Task timers as BullMQ delayed jobs with deterministic ids (queue `task-timers`). */
export class BullTaskTimerScheduler implements TaskTimerScheduler {
  readonly queue: Queue<TaskTimerJob>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly clock: Clock,
  ) {
    this.queue = new Queue<TaskTimerJob>(TASK_TIMERS_QUEUE, {
      connection,
      prefix: `${prefix}:bull`,
    });
  }

  async schedule(jobs: readonly TaskTimerJob[]): Promise<void> {
    const now = this.clock.now();
    await this.queue.addBulk(jobs.map((job) => taskTimerJobSpec(job, now)));
  }

  async cancel(jobIds: readonly string[]): Promise<void> {
    await Promise.all(jobIds.map((id) => this.queue.remove(id)));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** People, skills, care recipients and tickets as the task service needs them, from PostgreSQL. */
export class PrismaTaskDirectory implements TaskDirectory {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      tickets: TicketService;
      ticketStore: TicketStore;
      ticketPublisher: TicketPublisher;
    },
  ) {}

  async unknownSkills(codes: readonly string[]): Promise<string[]> {
    const known = await this.deps.prisma.skill.findMany({
      where: { code: { in: [...codes] } },
      select: { code: true },
    });
    const found = new Set(known.map((skill) => skill.code));
    return codes.filter((code) => !found.has(code));
  }

  careRecipient(
    id: number,
  ): Promise<{ id: number; communityId: number; gridId: number | null } | null> {
    return this.deps.prisma.careRecipient.findUnique({
      where: { id },
      select: { id: true, communityId: true, gridId: true },
    });
  }

  async visibleTicket(ticketId: number, auth: AuthContext) {
    const ticket = await this.deps.tickets.visibleTicket(ticketId, auth);
    const row = await this.deps.prisma.ticket.findUniqueOrThrow({
      where: { id: ticketId },
      select: { description: true },
    });
    return { ticket, description: row.description };
  }

  async noteVolunteersAsked(ticketId: number, taskId: number, actorId: number): Promise<void> {
    const change = await this.deps.ticketStore.appendEvent(ticketId, {
      type: 'ticket.updated',
      actorId,
      fromStatus: null,
      toStatus: null,
      data: { action: 'volunteers-asked', taskId },
    });
    if (change) this.deps.ticketPublisher.publish(change);
  }
}
