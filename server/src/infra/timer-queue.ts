import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  TICKET_TIMERS_QUEUE,
  ticketTimerJob,
  ticketTimerJobId,
  type TicketTimerJob,
  type TicketTimerKind,
} from '@gridline/core';
import type { Clock, TimerScheduler } from '../tickets/ports.ts';

/** Ticket timers as BullMQ delayed jobs with deterministic ids. */
export class BullTimerScheduler implements TimerScheduler {
  readonly queue: Queue<TicketTimerJob>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly clock: Clock,
  ) {
    this.queue = new Queue<TicketTimerJob>(TICKET_TIMERS_QUEUE, {
      connection,
      prefix: `${prefix}:bull`,
    });
  }

  async schedule(job: TicketTimerJob): Promise<void> {
    const spec = ticketTimerJob(job, this.clock.now());
    await this.queue.add(spec.name, spec.data, spec.opts);
  }

  async cancel(kind: TicketTimerKind, ticketId: number, version: number): Promise<void> {
    await this.queue.remove(ticketTimerJobId(kind, ticketId, version));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
