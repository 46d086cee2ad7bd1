import type { LatLng, LedgerBalance, SkillDto, VolunteerStatus } from '@gridline/core';

/** A volunteer as stored, before masking for the reader. */
export interface VolunteerRecord {
  userId: number;
  username: string;
  displayName: string;
  phone: string | null;
  status: VolunteerStatus;
  homeCommunityId: number | null;
  skills: string[];
  teams: Array<{ id: number; name: string; leader: boolean }>;
  onDuty: boolean;
  balance: LedgerBalance;
  createdAt: Date;
}

/** What a location report needs to know, in one read. */
export interface VolunteerFieldInfo {
  userId: number;
  displayName: string;
  status: VolunteerStatus;
  homeCommunityId: number | null;
  skills: string[];
}

export interface NewVolunteer {
  username: string;
  passwordHash: string;
  displayName: string;
  phone: string | null;
  homeCommunityId: number;
  skills: string[];
  teamIds: number[];
}

export interface VolunteerPatch {
  displayName?: string;
  phone?: string | null;
  skills?: string[];
  homeCommunityId?: number;
}

export interface TeamDto {
  id: number;
  name: string;
  communityId: number | null;
  members: number;
}

export interface VolunteerListFilter {
  /** Home communities inside this region; null: everywhere. */
  regionId: number | null;
  communityId?: number;
  status?: VolunteerStatus;
  /** Volunteers with a larger user id (the next page). */
  cursor?: number;
  limit: number;
}

export interface StatusChange {
  userId: number;
  to: 'APPROVED' | 'SUSPENDED';
  actorId: number;
  ip: string | null;
  at: Date;
}

/** Thrown by `create` when the username is taken (unique violation). */
export class UsernameTakenError extends Error {
  constructor() {
    super('username taken');
  }
}

export interface VolunteerRepository {
  skills(): Promise<SkillDto[]>;
  /** Ids of `ids` that name existing teams. */
  existingTeams(ids: readonly number[]): Promise<number[]>;
  /** Case-insensitively. */
  usernameTaken(username: string): Promise<boolean>;
  /** User (role VOLUNTEER), volunteer (PENDING), skills and teams in one transaction; the user id. */
  create(volunteer: NewVolunteer): Promise<number>;
  find(userId: number): Promise<VolunteerRecord | null>;
  fieldInfo(userId: number): Promise<VolunteerFieldInfo | null>;
  /**
   * One transaction. Moving an approved volunteer to another community puts
   * them back to PENDING and off duty: the new community's staff approve them.
   */
  update(userId: number, patch: VolunteerPatch): Promise<{ awaitingApproval: boolean }>;
  list(filter: VolunteerListFilter): Promise<VolunteerRecord[]>;
  /**
   * Conditional (only from another status) and audited in one transaction;
   * suspending also clears the duty flags. False when the status already was `to`.
   */
  setStatus(change: StatusChange): Promise<boolean>;
  teams(communityId?: number): Promise<TeamDto[]>;
  team(id: number): Promise<TeamDto | null>;
  createTeam(team: { name: string; communityId: number }): Promise<TeamDto>;
  join(teamId: number, userId: number): Promise<void>;
  leave(teamId: number, userId: number): Promise<void>;
}

/** The locator's write side (RedisVolunteerLocator). */
export interface VolunteerLocatorWriter {
  update(
    volunteer: { userId: number; skills: readonly string[] },
    position: LatLng,
    at: Date,
  ): Promise<boolean>;
  setSkills(userId: number, skills: readonly string[]): Promise<boolean>;
  remove(userId: number): Promise<void>;
  prune(before: Date): Promise<number>;
}
