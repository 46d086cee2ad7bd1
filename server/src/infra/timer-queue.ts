import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  TICKET_TIMERS_QUEUE,
  jobIdOfTimer,
  ticketTimerJob,
  ticketTimerJobId,
  type TicketTimerJob,
  type TicketTimerKind,
} from '@gridline/core';
import type { Clock, TimerScheduler } from '../tickets/ports.ts';

interface PendingAdd {
  job: TicketTimerJob;
  jobId: string;
  /** Absent for `scheduleSoon`: nobody waits, a failure goes to `onLost`. */
  settle?: { resolve: () => void; reject: (error: unknown) => void };
}

/**
 * How long a `scheduleSoon` job may wait for others to go with it. Each batch of
 * more than one job is an ioredis pipeline, and every pipeline outlives two
 * young-generation GCs of the server whatever happens to it (see CHANGELOG,
 * 2026-12-07): at 20 ms, batches cost the intake ~0.9 MB/s of promoted garbage.
 */
const GATHER_MS = 250;
/** Jobs due sooner than this go out at the end of their turn, even from `scheduleSoon`. */
const GATHER_MIN_LEAD_MS = 1000;

/**
 * Ticket timers as BullMQ delayed jobs with deterministic ids.
 *
 * Jobs are sent in batches, one round trip each. Every add wakes the workers'
 * timer loop (BullMQ moves its marker), so fewer, larger batches save the
 * workers a wake-up per job. `schedule` sends its job at the end of the turn of
 * the event loop, with the others of that turn, and resolves once it is in
 * Redis. `scheduleSoon` lets a job due well ahead wait up to GATHER_MS for
 * others, for a caller that need not wait: the intake, whose ticket is already
 * committed, and whose timer the workers' reconciler re-creates from the row
 * should Redis refuse it or the process die first. Each job's delay is
 * computed when its batch is sent, so waiting does not move its due time.
 */
export class BullTimerScheduler implements TimerScheduler {
  readonly queue: Queue<TicketTimerJob>;
  private pending: PendingAdd[] = [];
  private endOfTurn: NodeJS.Immediate | null = null;
  private gathering: NodeJS.Timeout | null = null;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly clock: Clock,
    /** Jobs of `scheduleSoon` that Redis refused. */
    private readonly onLost: (error: unknown, jobIds: string[]) => void = () => undefined,
    private readonly gatherMs = GATHER_MS,
  ) {
    this.queue = new Queue<TicketTimerJob>(TICKET_TIMERS_QUEUE, {
      connection,
      prefix: `${prefix}:bull`,
    });
  }

  schedule(job: TicketTimerJob): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ job, jobId: jobIdOfTimer(job), settle: { resolve, reject } });
      this.endOfTurn ??= setImmediate(() => void this.flush());
    });
  }

  scheduleSoon(job: TicketTimerJob): void {
    if (new Date(job.dueAt).getTime() - this.clock.now().getTime() < GATHER_MIN_LEAD_MS) {
      this.schedule(job).catch((error: unknown) => this.onLost(error, [jobIdOfTimer(job)]));
      return;
    }
    this.pending.push({ job, jobId: jobIdOfTimer(job) });
    if (this.endOfTurn === null)
      this.gathering ??= setTimeout(() => void this.flush(), this.gatherMs);
  }

  async cancel(kind: TicketTimerKind, ticketId: number, version: number): Promise<void> {
    const jobId = ticketTimerJobId(kind, ticketId, version);
    // Still waiting for its batch: dropped here, or the remove would reach Redis
    // before the add and leave the job behind.
    const waiting = this.pending.findIndex((item) => item.jobId === jobId);
    if (waiting >= 0) {
      const [dropped] = this.pending.splice(waiting, 1);
      dropped!.settle?.resolve();
      return;
    }
    await this.queue.remove(jobId);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.queue.close();
  }

  private async flush(): Promise<void> {
    if (this.endOfTurn !== null) clearImmediate(this.endOfTurn);
    if (this.gathering !== null) clearTimeout(this.gathering);
    this.endOfTurn = null;
    this.gathering = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const now = this.clock.now();
    const specs = batch.map(({ job }) => ticketTimerJob(job, now));
    try {
      if (specs.length === 1) {
        const [spec] = specs;
        await this.queue.add(spec!.name, spec!.data, spec!.opts);
      } else {
        await this.queue.addBulk(
          specs.map((spec) => ({ name: spec.name, data: spec.data, opts: spec.opts })),
        );
      }
      for (const item of batch) item.settle?.resolve();
    } catch (error) {
      for (const item of batch) item.settle?.reject(error);
      const unwatched = batch.filter((item) => !item.settle).map((item) => item.jobId);
      if (unwatched.length > 0) this.onLost(error, unwatched);
    }
  }
}
