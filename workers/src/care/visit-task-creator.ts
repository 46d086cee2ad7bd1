import { DEFAULT_OFFER_BATCH, DEFAULT_OFFER_RADIUS_M } from '@gridline/core';
import type { NewTask, TaskChange } from '@gridline/db';
import type { VisitTaskCreator, VisitTaskInput } from './visit-schedules.ts';

/** What the visit creator needs of the task engine. */
export interface TaskEnginePorts {
  /** One transaction: the OPEN task, its skills and its `created` event (TaskStore.create). */
  create(task: NewTask): Promise<TaskChange>;
  /** After the commit: pushes the change's events and adds its timers. */
  publish(change: TaskChange): Promise<void>;
  /** The first step of the offer cascade (OfferCascade.step). */
  offer(taskId: number, now: Date): Promise<TaskChange | null>;
  /** The street and district above a community (tasks are scoped by them too). */
  chainOf(communityId: number): Promise<{ streetId: number | null; districtId: number | null }>;
}

/** Visit points per hour: the engine's default for a task. */
const VISIT_POINTS_PER_HOUR = 10;

/**
 * Creates a visit task through the task engine as staff would: the task row
 * and its event in one transaction, then (after the commit) its push and the
 * first round of offers to the nearest volunteers with the skills.
 */
export class EngineVisitTaskCreator implements VisitTaskCreator {
  constructor(
    private readonly engine: TaskEnginePorts,
    /** A push or the first offers failed after the commit (the engine's reconciler catches up). */
    private readonly onAfterCommitError: (error: unknown, taskId: number) => void = () => {},
  ) {}

  async createVisitTask(task: VisitTaskInput): Promise<{ taskId: number }> {
    const chain = await this.engine.chainOf(task.communityId);
    const created = await this.engine.create({
      title: task.title,
      description: task.description,
      skills: task.skills,
      lat: task.location.lat,
      lng: task.location.lng,
      address: task.address,
      gridId: task.gridId,
      communityId: task.communityId,
      streetId: chain.streetId,
      districtId: chain.districtId,
      startsAt: task.startsAt,
      endsAt: task.endsAt,
      durationMinutes: task.durationMinutes,
      slots: task.slots,
      pointsPerHour: VISIT_POINTS_PER_HOUR,
      ticketId: null,
      careRecipientId: task.careRecipientId,
      offerBatch: DEFAULT_OFFER_BATCH,
      radiusM: DEFAULT_OFFER_RADIUS_M,
      createdById: task.createdById,
      createdAt: task.startsAt,
    });
    // The task is committed: a failure from here on must not make the slot create another.
    try {
      await this.engine.publish(created);
      const offered = await this.engine.offer(created.task.id, task.startsAt);
      if (offered) await this.engine.publish(offered);
    } catch (error) {
      this.onAfterCommitError(error, created.task.id);
    }
    return { taskId: created.task.id };
  }
}
