import { describe, expect, it } from 'vitest';
import { overdueLabelKey, showsOverdueVisits } from './overdue-visits.ts';

describe('overdue visits on the dashboard', () => {
  it('is shown to community staff, dispatchers and admins only', () => {
    expect(showsOverdueVisits('COMMUNITY_STAFF')).toBe(true);
    expect(showsOverdueVisits('DISPATCHER')).toBe(true);
    expect(showsOverdueVisits('ADMIN')).toBe(true);
    expect(showsOverdueVisits('GRID_MEMBER')).toBe(false);
    expect(showsOverdueVisits('VOLUNTEER')).toBe(false);
    expect(showsOverdueVisits('RESIDENT')).toBe(false);
  });

  it('says days from the first whole day on', () => {
    expect(overdueLabelKey({ daysOverdue: 0 })).toBe('dashboard.visits.lessThanDay');
    expect(overdueLabelKey({ daysOverdue: 1 })).toBe('dashboard.visits.daysValue');
    expect(overdueLabelKey({ daysOverdue: 30 })).toBe('dashboard.visits.daysValue');
  });
});
