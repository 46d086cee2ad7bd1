import { describe, expect, it } from 'vitest';
import type { VolunteerProfile } from '@gridline/core';
import { draftOf, draftProblem, markMine, profilePatch } from './me.ts';

const profile: VolunteerProfile = {
  userId: 7,
  username: 'vol7',
  displayName: '王芳',
  phone: '13800000007',
  status: 'APPROVED',
  homeCommunityId: 40,
  skills: ['REPAIRS', 'ELDERLY_CARE'],
  teams: [],
  onDuty: false,
  balance: { minutes: 0, points: 0 },
};

describe('the volunteer profile form', () => {
  it('sends nothing when nothing changed, whatever the order of the skills', () => {
    const draft = { ...draftOf(profile), skills: ['ELDERLY_CARE', 'REPAIRS'] };
    expect(profilePatch(profile, draft)).toBeNull();
  });

  it('sends only what changed, trimmed, and clears the phone with null', () => {
    const draft = {
      ...draftOf(profile),
      displayName: ' 王小芳 ',
      phone: '',
      skills: ['TUTORING', 'REPAIRS', 'TUTORING'],
      homeCommunityId: 41,
    };
    expect(profilePatch(profile, draft)).toEqual({
      displayName: '王小芳',
      phone: null,
      skills: ['REPAIRS', 'TUTORING'],
      homeCommunityId: 41,
    });
  });

  it('names the first problem of a draft', () => {
    expect(draftProblem(draftOf(profile))).toBeNull();
    expect(draftProblem({ ...draftOf(profile), displayName: '  ' })).toBe('displayName');
    expect(draftProblem({ ...draftOf(profile), phone: '12345' })).toBe('phone');
    expect(draftProblem({ ...draftOf(profile), homeCommunityId: null })).toBe('community');
  });
});

describe('markMine', () => {
  it('marks the reader’s own row only', () => {
    const rows = [
      { volunteerId: 3, displayName: 'A', minutes: 120, points: 30, rank: 1 },
      { volunteerId: 7, displayName: 'B', minutes: 60, points: 12, rank: 2 },
    ];
    expect(markMine(rows, 7).map((row) => row.mine)).toEqual([false, true]);
  });
});
