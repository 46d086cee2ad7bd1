import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  TICKET_TIMERS_QUEUE,
  ticketTimerJob,
  ticketTimerJobId,
  type TicketTimerJob,
  type TicketTimerKind,
  type TimerJobSpec,
} from '@gridline/core';
import type { Clock, TimerScheduler } from '../tickets/ports.ts';

interface PendingAdd {
  spec: TimerJobSpec;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Ticket timers as BullMQ delayed jobs with deterministic ids.
 *
 * The jobs scheduled in one turn of the event loop are sent together, in one
 * round trip, at the end of that turn. A busy server answers many requests per
 * turn, and each add alone would cost a write to Redis and wake the workers' timer
 * loop; a quiet one sends batches of one, as soon as it would have anyway.
 * `schedule` resolves once its job is in Redis.
 */
export class BullTimerScheduler implements TimerScheduler {
  readonly queue: Queue<TicketTimerJob>;
  private pending: PendingAdd[] = [];

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

  schedule(job: TicketTimerJob): Promise<void> {
    const spec = ticketTimerJob(job, this.clock.now());
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ spec, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  async cancel(kind: TicketTimerKind, ticketId: number, version: number): Promise<void> {
    const jobId = ticketTimerJobId(kind, ticketId, version);
    // Still waiting for this turn's batch: dropped here, or the remove would reach
    // Redis before the add and leave the job behind.
    const waiting = this.pending.findIndex((item) => item.spec.opts.jobId === jobId);
    if (waiting >= 0) {
      const [dropped] = this.pending.splice(waiting, 1);
      dropped!.resolve();
      return;
    }
    await this.queue.remove(jobId);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.queue.close();
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      if (batch.length === 1) {
        const { spec } = batch[0]!;
        await this.queue.add(spec.name, spec.data, spec.opts);
      } else {
        await this.queue.addBulk(
          batch.map(({ spec }) => ({ name: spec.name, data: spec.data, opts: spec.opts })),
        );
      }
      for (const item of batch) item.resolve();
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }
}
