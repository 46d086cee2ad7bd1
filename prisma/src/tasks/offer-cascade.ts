import {
  OFFER_EXPIRY_MINUTES,
  OFFER_ROUNDS,
  VOLUNTEER_POSITION_MAX_AGE_MS,
  offerRadius,
  scaledMs,
  type NearbyVolunteer,
  type TaskTimerJob,
  type VolunteerLocator,
} from '@gridline/core';
import type { PrismaClient, TaskAssignment } from '../generated/prisma/client.ts';
import type { TicketRegions } from '../tickets/escalation-targets.ts';
import {
  finishChange,
  lockTask,
  type NewTaskEvent,
  type RawTask,
  type TaskDraft,
  type Tx,
} from './task-store.ts';
import { rawToAssignment, type RawAssignment, type TaskChange } from './task-summary.ts';

export interface OfferCascadeOptions {
  locator: VolunteerLocator;
  timeScale: number;
  /** Who answers for the task's grid (findResponsibleUser at level 0): told of a handover. */
  responsibleUser(regions: TicketRegions): Promise<number | null>;
}

/** Candidates asked of the locator beyond what is needed, to make up for busy ones. */
const CANDIDATE_MARGIN = 10;
/** Locator calls per round at most (each excludes those found unfit before). */
const CANDIDATE_ATTEMPTS = 3;

const EXISTING_SQL = `SELECT volunteer_id, status, expires_at FROM task_assignments WHERE task_id = $1`;

const SKILLS_SQL = `SELECT s.code FROM task_skills ts JOIN skills s ON s.id = ts.skill_id
  WHERE ts.task_id = $1 ORDER BY s.code`;

/** Approved, active, and not checked in on some task right now. */
const ELIGIBLE_SQL = `
SELECT v.user_id FROM volunteers v JOIN users u ON u.id = v.user_id
WHERE v.user_id = ANY($1::int[]) AND v.status = 'APPROVED' AND u.active
  AND NOT EXISTS (SELECT 1 FROM task_assignments b
    WHERE b.volunteer_id = v.user_id AND b.status = 'CHECKED_IN')`;

const INSERT_OFFERS_SQL = `
INSERT INTO task_assignments (task_id, volunteer_id, status, round, offered_at, expires_at, distance_m)
SELECT $1, c.user_id, 'OFFERED', $2, $3, $4, c.distance_m
FROM unnest($5::int[], $6::int[]) WITH ORDINALITY AS c(user_id, distance_m, ord)
ORDER BY c.ord
ON CONFLICT (task_id, volunteer_id) DO NOTHING
RETURNING *`;

class NeedsHandover extends Error {
  constructor(readonly regions: TicketRegions) {
    super('handover');
  }
}

/**
 * One step of the offer cascade, shared by the server (create, decline,
 * reoffer) and the workers (offer expiry, no-show): under the task row's lock,
 * so two steps for one task never offer twice, it tops the live offers up to
 * the task's batch (or its free slots, if more) with the nearest available
 * volunteers within the current round's radius, not asked before and not
 * checked in elsewhere; when the radius holds nobody new, the next round
 * widens it; when the last round holds nobody new and no offer is still
 * open, the task is HANDED_OVER to the grid member, who is told.
 *
 * Returns what to push and which timers to add (after the commit), or null
 * when there was nothing to do.
 */
export class OfferCascade {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: OfferCascadeOptions,
  ) {}

  async step(taskId: number, now: Date, actorId: number | null = null): Promise<TaskChange | null> {
    let handoverTo: number | null | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.run(taskId, now, actorId, handoverTo);
      } catch (error) {
        // The grid member is looked up outside the transaction (no second connection
        // while holding one), then the step runs again and decides afresh.
        if (!(error instanceof NeedsHandover) || attempt > 0) throw error;
        handoverTo = await this.options.responsibleUser(error.regions);
      }
    }
  }

  private run(
    taskId: number,
    now: Date,
    actorId: number | null,
    handoverTo: number | null | undefined,
  ): Promise<TaskChange | null> {
    return this.prisma.$transaction(
      async (tx) => {
        const task = await lockTask(tx, taskId);
        if (!task) return null;
        const draft = await this.plan(tx, task, now, actorId, handoverTo);
        return draft ? finishChange(tx, taskId, draft, now) : null;
      },
      { maxWait: 15_000, timeout: 20_000 },
    );
  }

  private async plan(
    tx: Tx,
    task: RawTask,
    now: Date,
    actorId: number | null,
    handoverTo: number | null | undefined,
  ): Promise<TaskDraft | null> {
    if (task.status !== 'OPEN' && task.status !== 'OFFERING') return null;
    if (task.ends_at <= now) return null;
    const free = task.slots - task.filled_slots;
    if (free <= 0) return null;
    const existing = await tx.$queryRawUnsafe<
      Array<{ volunteer_id: number; status: string; expires_at: Date | null }>
    >(EXISTING_SQL, task.id);
    const outstanding = existing.filter(
      (row) => row.status === 'OFFERED' && row.expires_at !== null && row.expires_at > now,
    ).length;
    const need = Math.max(task.offer_batch, free) - outstanding;
    if (need <= 0) return null;
    const skills = (await tx.$queryRawUnsafe<Array<{ code: string }>>(SKILLS_SQL, task.id)).map(
      (row) => row.code,
    );
    const asked = new Set(existing.map((row) => row.volunteer_id));

    const events: NewTaskEvent[] = [];
    let round = task.offer_round;
    for (;;) {
      const radiusM = offerRadius(task.radius_m, round);
      const picked = await this.candidates(tx, task, radiusM, skills, need, asked, now);
      if (picked.length > 0) {
        const offers = await this.offer(tx, task, round, picked, now);
        if (offers.length > 0)
          return this.offered(tx, task, round, radiusM, offers, events, actorId);
      }
      if (round + 1 < OFFER_ROUNDS) {
        round += 1;
        events.push({
          type: 'task.updated',
          actorId,
          data: { action: 'widened', round, radiusM: offerRadius(task.radius_m, round) },
        });
        continue;
      }
      if (outstanding > 0) {
        // The last radius holds nobody new: wait for the open offers.
        if (round !== task.offer_round) await this.setRound(tx, task, round, task.status);
        return events.length > 0 ? { events } : null;
      }
      if (handoverTo === undefined) {
        throw new NeedsHandover({
          gridId: task.grid_id,
          communityId: task.community_id,
          streetId: task.street_id,
          districtId: task.district_id,
        });
      }
      await this.setRound(tx, task, round, 'HANDED_OVER');
      events.push({
        type: 'task.updated',
        actorId,
        data: {
          action: 'handed-over',
          round,
          radiusM,
          asked: asked.size,
          notifyUserId: handoverTo,
        },
      });
      return { events };
    }
  }

  private async setRound(
    tx: Tx,
    task: RawTask,
    round: number,
    status: 'OFFERING' | 'HANDED_OVER' | RawTask['status'],
  ): Promise<void> {
    await tx.$executeRawUnsafe(
      `UPDATE tasks SET offer_round = $2, status = $3::"TaskStatus", version = version + 1
       WHERE id = $1`,
      task.id,
      round,
      status,
    );
  }

  /** The nearest `need` fit volunteers in the radius not asked before (nearest first). */
  private async candidates(
    tx: Tx,
    task: RawTask,
    radiusM: number,
    skills: string[],
    need: number,
    asked: Set<number>,
    now: Date,
  ): Promise<NearbyVolunteer[]> {
    const picked: NearbyVolunteer[] = [];
    const skip = new Set(asked);
    for (let attempt = 0; attempt < CANDIDATE_ATTEMPTS && picked.length < need; attempt++) {
      const limit = need - picked.length + CANDIDATE_MARGIN;
      const found = await this.options.locator.nearest(
        {
          lat: task.lat,
          lng: task.lng,
          radiusM,
          skills,
          limit,
          exclude: [...skip],
          maxAgeMs: VOLUNTEER_POSITION_MAX_AGE_MS,
        },
        now,
      );
      const fresh = found.filter((candidate) => !skip.has(candidate.userId));
      if (fresh.length === 0) break;
      const fit = new Set(
        (
          await tx.$queryRawUnsafe<Array<{ user_id: number }>>(
            ELIGIBLE_SQL,
            fresh.map((candidate) => candidate.userId),
          )
        ).map((row) => row.user_id),
      );
      for (const candidate of fresh) {
        skip.add(candidate.userId);
        if (fit.has(candidate.userId) && picked.length < need) picked.push(candidate);
      }
      if (found.length < limit) break;
    }
    return picked;
  }

  private async offer(
    tx: Tx,
    task: RawTask,
    round: number,
    picked: NearbyVolunteer[],
    now: Date,
  ): Promise<TaskAssignment[]> {
    const expiresAt = new Date(
      now.getTime() + scaledMs(OFFER_EXPIRY_MINUTES, this.options.timeScale),
    );
    const rows = await tx.$queryRawUnsafe<RawAssignment[]>(
      INSERT_OFFERS_SQL,
      task.id,
      round,
      now,
      expiresAt,
      picked.map((candidate) => candidate.userId),
      picked.map((candidate) => Math.round(candidate.distanceM)),
    );
    return rows.map(rawToAssignment);
  }

  private async offered(
    tx: Tx,
    task: RawTask,
    round: number,
    radiusM: number,
    offers: TaskAssignment[],
    events: NewTaskEvent[],
    actorId: number | null,
  ): Promise<TaskDraft> {
    if (task.status !== 'OFFERING' || round !== task.offer_round) {
      await this.setRound(tx, task, round, 'OFFERING');
    }
    events.push({
      type: 'task.updated',
      actorId,
      data: { action: 'offered', round, radiusM, offers: offers.length },
    });
    const timers: TaskTimerJob[] = [];
    for (const offer of offers) {
      events.push({
        type: 'task.offered',
        actorId,
        data: {
          action: 'offered',
          volunteerId: offer.volunteerId,
          assignmentId: offer.id,
          round,
          distanceM: offer.distanceM,
          expiresAt: offer.expiresAt?.toISOString() ?? null,
        },
        assignment: offer,
      });
      timers.push({
        kind: 'offer-expiry',
        taskId: task.id,
        assignmentId: offer.id,
        version: offer.version,
        dueAt: (offer.expiresAt ?? new Date()).toISOString(),
      });
    }
    return { events, timers };
  }
}
