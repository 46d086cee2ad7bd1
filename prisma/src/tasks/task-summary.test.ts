import { describe, expect, it } from 'vitest';
import type { AssignmentSummary, TaskEventPayload, TaskSummary } from '@gridline/core';
import { taskPushes } from './task-summary.ts';

const task = {
  id: 5,
  gridId: 40,
  communityId: 30,
  createdById: 7,
  careRecipientFirstName: '秀英',
} as TaskSummary;
const assignment = (status: AssignmentSummary['status']) =>
  ({ id: 9, volunteerId: 501, status }) as AssignmentSummary;
const event = (
  type: TaskEventPayload['type'],
  data: Record<string, unknown>,
  withAssignment?: AssignmentSummary,
): TaskEventPayload => ({
  eventId: 1,
  type,
  at: '2026-11-22T10:00:00.000Z',
  actorId: null,
  data,
  task,
  ...(withAssignment ? { assignment: withAssignment } : {}),
});

describe('task pushes', () => {
  it('sends an offer to the volunteer alone, without the care recipient name', () => {
    const pushes = taskPushes(event('task.offered', { volunteerId: 501 }, assignment('OFFERED')));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.rooms).toEqual(['user:501']);
    expect(pushes[0]!.event.task.careRecipientFirstName).toBeNull();
  });

  it('sends changes to the task rooms; the holder gets the name in their own room only', () => {
    const pushes = taskPushes(
      event('task.updated', { action: 'accepted', volunteerId: 501 }, assignment('ACCEPTED')),
    );
    expect(pushes.map((push) => push.rooms)).toEqual([
      ['task:5', 'user:7', 'region:40', 'region:30'],
      ['user:501'],
    ]);
    expect(pushes[0]!.event.task.careRecipientFirstName).toBeNull();
    expect(pushes[1]!.event.task.careRecipientFirstName).toBe('秀英');
  });

  it('tells the volunteers whose offers a fill ended, and the grid member of a handover', () => {
    const [filled] = taskPushes(event('task.filled', { notifyVolunteerIds: [601, 602] }));
    expect(filled!.rooms).toEqual(expect.arrayContaining(['task:5', 'user:601', 'user:602']));
    const [handed] = taskPushes(event('task.updated', { action: 'handed-over', notifyUserId: 8 }));
    expect(handed!.rooms).toContain('user:8');
    const [expired, own] = taskPushes(
      event('task.updated', { action: 'expired', volunteerId: 501 }, assignment('EXPIRED')),
    );
    expect(expired!.rooms).not.toContain('user:501');
    expect(own!.event.task.careRecipientFirstName).toBeNull();
  });
});
