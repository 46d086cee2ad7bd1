import { describe, expect, it } from 'vitest';
import { createTaskSchema } from '@gridline/core';
import { taskBody, typedPoint, wholeNumber, type TaskFormFields } from './task-form.ts';

const now = new Date(2026, 2, 5, 12, 0);
const fields = (patch: Partial<TaskFormFields> = {}): TaskFormFields => ({
  title: ' 帮老人买菜 ',
  description: '',
  skills: ['SHOPPING', 'SHOPPING'],
  point: { lat: 41.1, lng: 122.99 },
  address: '',
  startsAt: '2026-03-05T14:00',
  endsAt: '2026-03-05T16:00',
  durationMinutes: '60',
  slots: '2',
  pointsPerHour: '10',
  ...patch,
});

describe('the task form', () => {
  it('builds a body the server schema accepts', () => {
    const result = taskBody(fields(), now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body.title).toBe('帮老人买菜');
    expect(result.body.skills).toEqual(['SHOPPING']);
    expect(result.body.slots).toBe(2);
    expect(result.body).not.toHaveProperty('address');
    expect(createTaskSchema.safeParse(result.body).success).toBe(true);
  });

  it('names every refused field', () => {
    const result = taskBody(
      fields({
        title: '  ',
        point: null,
        startsAt: 'x',
        durationMinutes: '2',
        slots: '0',
        pointsPerHour: '1.5',
      }),
      now,
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        title: 'community.form.required',
        point: 'community.form.pointRequired',
        startsAt: 'community.form.badTime',
        durationMinutes: 'community.form.wholeNumber',
        slots: 'community.form.wholeNumber',
        pointsPerHour: 'community.form.wholeNumber',
      },
    });
  });

  it('wants the end after the start and still ahead', () => {
    expect(taskBody(fields({ endsAt: '2026-03-05T13:00' }), now)).toMatchObject({
      ok: false,
      errors: { endsAt: 'community.form.endBeforeStart' },
    });
    expect(
      taskBody(fields({ startsAt: '2026-03-05T09:00', endsAt: '2026-03-05T11:00' }), now),
    ).toMatchObject({ ok: false, errors: { endsAt: 'community.form.endPassed' } });
  });

  it('reads whole numbers and typed points strictly', () => {
    expect(wholeNumber('12', 1, 50)).toBe(12);
    expect(wholeNumber('51', 1, 50)).toBeNull();
    expect(wholeNumber('-1', 0, 5)).toBeNull();
    expect(wholeNumber('', 0, 5)).toBeNull();
    expect(typedPoint('41.1', ' 122.9 ')).toEqual({ lat: 41.1, lng: 122.9 });
    expect(typedPoint('91', '0')).toBeNull();
    expect(typedPoint('', '1')).toBeNull();
    expect(typedPoint('abc', '1')).toBeNull();
  });
});
