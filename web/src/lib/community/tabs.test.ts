import { describe, expect, it } from 'vitest';
import { tabFrom, tabsFor } from './tabs.ts';

describe('console tabs by role', () => {
  it('gives staff every tab, grid members tasks only, others none', () => {
    expect(tabsFor('COMMUNITY_STAFF')).toEqual(['volunteers', 'tasks', 'redemptions', 'care']);
    expect(tabsFor('ADMIN')).toHaveLength(4);
    expect(tabsFor('GRID_MEMBER')).toEqual(['tasks']);
    expect(tabsFor('DISPATCHER')).toEqual([]);
    expect(tabsFor('VOLUNTEER')).toEqual([]);
  });

  it('reads ?tab= only where the role has it', () => {
    expect(tabFrom('care', 'COMMUNITY_STAFF')).toBe('care');
    expect(tabFrom(null, 'COMMUNITY_STAFF')).toBe('volunteers');
    expect(tabFrom('care', 'GRID_MEMBER')).toBe('tasks');
    expect(tabFrom('tasks', 'RESIDENT')).toBeNull();
  });
});
