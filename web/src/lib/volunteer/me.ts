import type { LeaderboardRow, VolunteerProfile } from '@gridline/core';

/** The profile form's values (phone as typed; '' clears it). */
export interface ProfileDraft {
  displayName: string;
  phone: string;
  skills: string[];
  homeCommunityId: number | null;
}

/** `PATCH /api/volunteers/me` (volunteerProfilePatchSchema in core). */
export interface ProfilePatch {
  displayName?: string;
  phone?: string | null;
  skills?: string[];
  homeCommunityId?: number;
}

const MOBILE = /^1[3-9][0-9]{9}$/;

export function draftOf(profile: VolunteerProfile): ProfileDraft {
  return {
    displayName: profile.displayName,
    phone: profile.phone ?? '',
    skills: [...profile.skills],
    homeCommunityId: profile.homeCommunityId,
  };
}

/** What is wrong with the draft before it is sent, or null. */
export function draftProblem(draft: ProfileDraft): 'displayName' | 'phone' | 'community' | null {
  if (draft.displayName.trim() === '') return 'displayName';
  const phone = draft.phone.trim();
  if (phone !== '' && !MOBILE.test(phone)) return 'phone';
  if (draft.homeCommunityId === null) return 'community';
  return null;
}

/** Only the fields that changed; null when nothing did. */
export function profilePatch(profile: VolunteerProfile, draft: ProfileDraft): ProfilePatch | null {
  const patch: ProfilePatch = {};
  const name = draft.displayName.trim();
  if (name !== profile.displayName) patch.displayName = name;
  const phone = draft.phone.trim();
  if (phone !== (profile.phone ?? '')) patch.phone = phone === '' ? null : phone;
  const skills = [...new Set(draft.skills)].sort();
  if (skills.join(',') !== [...profile.skills].sort().join(',')) patch.skills = skills;
  if (draft.homeCommunityId !== null && draft.homeCommunityId !== profile.homeCommunityId) {
    patch.homeCommunityId = draft.homeCommunityId;
  }
  return Object.keys(patch).length > 0 ? patch : null;
}

export interface BoardRow extends LeaderboardRow {
  mine: boolean;
}

/** The leaderboard's rows with the reader's own marked. */
export function markMine(rows: readonly LeaderboardRow[], userId: number): BoardRow[] {
  return rows.map((row) => ({ ...row, mine: row.volunteerId === userId }));
}
