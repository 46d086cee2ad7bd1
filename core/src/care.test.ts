import { describe, expect, it } from 'vitest';
import {
  createCareRecipientSchema,
  daysOverdue,
  overdueVisits,
  updateCareRecipientSchema,
  visitDueAt,
  visitEveryMs,
} from './care.ts';

const DAY = 86_400_000;
const base = {
  householdName: '王家',
  firstName: '秀兰',
  kind: 'ELDERLY_ALONE',
  address: '3号楼501室',
  location: { lat: 41.1, lng: 123.0 },
};

describe('care schemas', () => {
  it('fills defaults and stores contact phones normalized', () => {
    const parsed = createCareRecipientSchema.parse({
      ...base,
      contacts: [{ name: ' 王强 ', relation: '子女', phone: '+86 138-0013-8000' }],
    });
    expect(parsed).toMatchObject({
      visitEveryDays: null,
      notes: null,
      contacts: [{ name: '王强', relation: '子女', phone: '13800138000' }],
    });
    expect(createCareRecipientSchema.parse(base).contacts).toEqual([]);
  });

  it('refuses bad phones, unknown kinds, unknown fields and empty patches', () => {
    const contacts = [{ name: '王强', relation: '子女', phone: '12345' }];
    expect(createCareRecipientSchema.safeParse({ ...base, contacts }).success).toBe(false);
    expect(createCareRecipientSchema.safeParse({ ...base, kind: 'RICH' }).success).toBe(false);
    expect(createCareRecipientSchema.safeParse({ ...base, visitEveryDays: 366 }).success).toBe(
      false,
    );
    expect(createCareRecipientSchema.safeParse({ ...base, ssn: '1' }).success).toBe(false);
    expect(updateCareRecipientSchema.safeParse({}).success).toBe(false);
    expect(updateCareRecipientSchema.safeParse({ visitEveryDays: null }).success).toBe(true);
    expect(updateCareRecipientSchema.safeParse({ lastVisitAt: '2026-11-01' }).success).toBe(false);
  });
});

describe('visit cadence', () => {
  const createdAt = new Date('2026-11-01T00:00:00Z');

  it('falls due a cadence after the last visit, or after registration, divided by TIME_SCALE', () => {
    expect(visitEveryMs(7, 1)).toBe(7 * DAY);
    expect(visitEveryMs(7, 60)).toBe((7 * DAY) / 60);
    expect(visitDueAt({ visitEveryDays: 3, lastVisitAt: null, createdAt }, 1)).toEqual(
      new Date(createdAt.getTime() + 3 * DAY),
    );
    const lastVisitAt = new Date('2026-11-10T06:00:00Z');
    expect(visitDueAt({ visitEveryDays: 3, lastVisitAt, createdAt }, 24)).toEqual(
      new Date(lastVisitAt.getTime() + 3 * 3600_000),
    );
  });

  it('counts whole days overdue, never negative', () => {
    const due = new Date('2026-11-10T00:00:00Z');
    expect(daysOverdue(due, new Date(due.getTime() + 2 * DAY + 5), 1)).toBe(2);
    expect(daysOverdue(due, new Date(due.getTime() + DAY - 1), 1)).toBe(0);
    expect(daysOverdue(due, new Date(due.getTime() - DAY), 1)).toBe(0);
    expect(daysOverdue(due, new Date(due.getTime() + 2 * 3600_000), 24)).toBe(2);
  });

  it('lists households whose due time has passed, most overdue first, ties by id', () => {
    const now = new Date('2026-11-20T00:00:00Z');
    const rows = [
      { id: 1, visitEveryDays: 7, lastVisitAt: null, createdAt }, // due 11-08
      { id: 2, visitEveryDays: null, lastVisitAt: null, createdAt },
      { id: 3, visitEveryDays: 3, lastVisitAt: new Date('2026-11-18T00:00:00Z'), createdAt },
      { id: 4, visitEveryDays: 14, lastVisitAt: null, createdAt: new Date('2026-10-25T00:00:00Z') },
      { id: 5, visitEveryDays: 7, lastVisitAt: null, createdAt }, // due 11-08, same as 1
      { id: 6, visitEveryDays: 19, lastVisitAt: null, createdAt }, // due exactly now: not yet
    ];
    expect(overdueVisits(rows, now, 1).map((row) => [row.id, row.dueAt.toISOString()])).toEqual([
      [1, '2026-11-08T00:00:00.000Z'],
      [4, '2026-11-08T00:00:00.000Z'],
      [5, '2026-11-08T00:00:00.000Z'],
    ]);
  });
});
