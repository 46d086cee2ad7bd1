import {
  maskPhone,
  volunteerProfilePatchSchema,
  volunteerRegistrationSchema,
  type LocationReport,
  type SkillDto,
  type UserDto,
  type VolunteerProfile,
  type VolunteerStatus,
} from '@gridline/core';
import type { RegionDirectory } from '@gridline/db';
import { HttpError, notFound, parseOr400 } from '../http/errors.ts';
import type { AuthContext } from '../http/types.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import type { RateLimiter } from '../auth/rate-limiter.ts';
import type { NewSession } from '../auth/session-repository.ts';
import type { Clock } from '../tickets/ports.ts';
import type { FieldUser } from '../positions/ports.ts';
import type { ReportResult } from '../positions/position-service.ts';
import {
  UsernameTakenError,
  type TeamDto,
  type VolunteerFieldInfo,
  type VolunteerLocatorWriter,
  type VolunteerRecord,
  type VolunteerRepository,
} from './ports.ts';

/** Registrations per client address and window (like sign-in attempts). */
export const REGISTER_LIMIT = { perAddress: 20, windowSeconds: 60 * 60 };
/** Positions older than this are dropped from the locator, at most once a minute per process. */
export const LOCATOR_RETAIN_MS = 60 * 60_000;
const PRUNE_EVERY_MS = 60_000;

/** What the service needs of the PositionService (duty flag, Redis positions, pushes). */
export interface VolunteerPositions {
  isOnDuty(user: FieldUser): Promise<boolean>;
  setDuty(user: FieldUser, onDuty: boolean): Promise<{ onDuty: boolean }>;
  report(user: FieldUser, report: LocationReport): Promise<ReportResult>;
}

export interface VolunteerServiceDeps {
  repository: VolunteerRepository;
  hasher: PasswordHasher;
  limiter: RateLimiter;
  sessions: {
    create(userId: number, meta: { ip?: string; userAgent?: string }): Promise<NewSession>;
  };
  positions: VolunteerPositions;
  locator: VolunteerLocatorWriter;
  regions: () => Pick<RegionDirectory, 'get' | 'isWithin'>;
  clock: Clock;
  /** A user changed in a way cached sessions carry (home region): forget them. */
  onUserChanged?: () => void;
}

/** Staff who manage volunteers of a community (approve, suspend, redemptions). */
const MANAGERS = new Set(['COMMUNITY_STAFF', 'ADMIN']);
/** Staff who may list volunteers. */
const LISTERS = new Set(['COMMUNITY_STAFF', 'DISPATCHER', 'ADMIN']);

/** Whether a staff user's region holds the community (admins: everywhere). */
export function holdsCommunity(
  auth: AuthContext,
  communityId: number | null,
  directory: Pick<RegionDirectory, 'isWithin'>,
): boolean {
  if (auth.user.role === 'ADMIN') return true;
  if (communityId === null || auth.user.regionId === null) return false;
  return directory.isWithin(communityId, auth.user.regionId);
}

export function notApproved(status: VolunteerStatus): HttpError {
  return status === 'PENDING'
    ? new HttpError('FORBIDDEN', 'Your registration is waiting for your community to approve it', {
        status,
      })
    : new HttpError('FORBIDDEN', 'Your volunteer account is suspended', { status });
}

/**
 * Volunteers: registration, profile, approval, teams; duty and live position
 * through the shared PositionService (so they show on the dispatcher map),
 * with the volunteer locator kept in step.
 */
export class VolunteerService {
  #lastPrune = 0;

  constructor(private readonly deps: VolunteerServiceDeps) {}

  skills(): Promise<SkillDto[]> {
    return this.deps.repository.skills();
  }

  async register(
    body: unknown,
    meta: { ip: string; userAgent?: string },
  ): Promise<{ user: UserDto; volunteer: VolunteerProfile; session: NewSession }> {
    const allowed = await this.deps.limiter.hit(
      `register:ip:${meta.ip}`,
      REGISTER_LIMIT.perAddress,
      REGISTER_LIMIT.windowSeconds,
    );
    if (!allowed) throw new HttpError('RATE_LIMITED', 'Too many registrations; try again later');
    const input = parseOr400(volunteerRegistrationSchema, body);
    const skills = [...new Set(input.skills)];
    const teamIds = [...new Set(input.teamIds)];
    await this.#checkCommunity(input.homeCommunityId);
    await this.#checkSkills(skills);
    const teams = await this.deps.repository.existingTeams(teamIds);
    const unknownTeams = teamIds.filter((id) => !teams.includes(id));
    if (unknownTeams.length > 0) {
      throw invalid('teamIds', `unknown teams: ${unknownTeams.join(', ')}`);
    }
    if (await this.deps.repository.usernameTaken(input.username)) throw usernameTaken();
    const passwordHash = await this.deps.hasher.hash(input.password);
    let userId: number;
    try {
      userId = await this.deps.repository.create({
        username: input.username,
        passwordHash,
        displayName: input.displayName,
        phone: input.phone ?? null,
        homeCommunityId: input.homeCommunityId,
        skills,
        teamIds,
      });
    } catch (error) {
      if (error instanceof UsernameTakenError) throw usernameTaken();
      throw error;
    }
    const record = await this.#record(userId);
    const session = await this.deps.sessions.create(userId, meta);
    return {
      user: {
        id: userId,
        username: record.username,
        displayName: record.displayName,
        role: 'VOLUNTEER',
        regionId: record.homeCommunityId,
      },
      volunteer: toProfile(record, true),
      session,
    };
  }

  async profile(auth: AuthContext | undefined): Promise<VolunteerProfile> {
    const me = requireVolunteer(auth);
    return toProfile(await this.#record(me.user.id), true);
  }

  async patch(auth: AuthContext | undefined, body: unknown): Promise<VolunteerProfile> {
    const me = requireVolunteer(auth);
    const patch = parseOr400(volunteerProfilePatchSchema, body);
    if (patch.homeCommunityId !== undefined) await this.#checkCommunity(patch.homeCommunityId);
    const skills = patch.skills === undefined ? undefined : [...new Set(patch.skills)];
    if (skills !== undefined) await this.#checkSkills(skills);
    const before = await this.#record(me.user.id);
    const { awaitingApproval } = await this.deps.repository.update(me.user.id, {
      ...patch,
      ...(skills ? { skills } : {}),
    });
    if (awaitingApproval) {
      // Moved to another community: off the map and out of the offers until its staff approve.
      await this.deps.positions.setDuty(fieldUser(before), false);
      await this.deps.locator.remove(me.user.id);
    }
    // On duty: offers follow the new skills at once, not at the next report.
    if (skills !== undefined) await this.deps.locator.setSkills(me.user.id, skills);
    if (patch.homeCommunityId !== undefined) this.deps.onUserChanged?.();
    return toProfile(await this.#record(me.user.id), true);
  }

  async list(
    auth: AuthContext | undefined,
    query: { communityId?: number; status?: VolunteerStatus; cursor?: number; limit: number },
  ): Promise<{ volunteers: VolunteerProfile[]; nextCursor: number | null }> {
    const staff = requireRoles(auth, LISTERS);
    const directory = this.deps.regions();
    let regionId: number | null = null;
    if (query.communityId !== undefined) {
      if (!directory.get(query.communityId)) throw notFound('Community');
      if (!holdsCommunity(staff, query.communityId, directory)) {
        throw new HttpError('FORBIDDEN', 'This community is outside your region');
      }
    } else if (staff.user.role !== 'ADMIN') {
      if (staff.user.regionId === null) {
        throw new HttpError('FORBIDDEN', 'You have no home region');
      }
      regionId = staff.user.regionId;
    }
    const rows = await this.deps.repository.list({
      regionId,
      communityId: query.communityId,
      status: query.status,
      cursor: query.cursor,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const unmasked = (record: VolunteerRecord) =>
      staff.user.role === 'COMMUNITY_STAFF' &&
      holdsCommunity(staff, record.homeCommunityId, directory);
    return {
      volunteers: page.map((record) => toProfile(record, unmasked(record))),
      nextCursor: rows.length > query.limit ? (page[page.length - 1]?.userId ?? null) : null,
    };
  }

  /** Approve or suspend: community staff or admins whose region holds the home community. */
  async decide(
    auth: AuthContext | undefined,
    userId: number,
    action: 'approve' | 'suspend',
    ip: string | null,
  ): Promise<VolunteerProfile> {
    const staff = requireRoles(auth, MANAGERS);
    const record = await this.#record(userId);
    if (!holdsCommunity(staff, record.homeCommunityId, this.deps.regions())) {
      throw new HttpError('FORBIDDEN', 'This volunteer lives outside your region');
    }
    const to = action === 'approve' ? 'APPROVED' : 'SUSPENDED';
    const changed = await this.deps.repository.setStatus({
      userId,
      to,
      actorId: staff.user.id,
      ip,
      at: this.deps.clock.now(),
    });
    if (!changed) {
      throw new HttpError('CONFLICT', `This volunteer is already ${to.toLowerCase()}`, {
        status: to,
      });
    }
    if (to === 'SUSPENDED') {
      // Off the map and out of the offers (the duty flags were cleared with the status).
      await this.deps.positions.setDuty(fieldUser(record), false);
      await this.deps.locator.remove(userId);
    }
    return toProfile(await this.#record(userId), staff.user.role === 'COMMUNITY_STAFF');
  }

  async duty(auth: AuthContext | undefined): Promise<{ onDuty: boolean }> {
    const info = await this.#approved(auth);
    return { onDuty: await this.deps.positions.isOnDuty(fieldUser(info)) };
  }

  async setDuty(auth: AuthContext | undefined, onDuty: boolean): Promise<{ onDuty: boolean }> {
    const info = await this.#approved(auth);
    const result = await this.deps.positions.setDuty(fieldUser(info), onDuty);
    if (!onDuty) await this.deps.locator.remove(info.userId);
    return result;
  }

  async report(auth: AuthContext | undefined, report: LocationReport): Promise<ReportResult> {
    const info = await this.#approved(auth);
    const result = await this.deps.positions.report(fieldUser(info), report);
    // Stored only while still in the duty set: a report racing with "off duty" stays out.
    await this.deps.locator.update(
      { userId: info.userId, skills: info.skills },
      { lat: report.lat, lng: report.lng },
      new Date(result.position.at),
    );
    await this.#pruneNowAndThen();
    return result;
  }

  async teams(communityId?: number): Promise<TeamDto[]> {
    return this.deps.repository.teams(communityId);
  }

  async createTeam(
    auth: AuthContext | undefined,
    body: { name: string; communityId?: number },
  ): Promise<TeamDto> {
    const staff = requireRoles(auth, LISTERS);
    const communityId = body.communityId ?? staff.user.regionId;
    if (communityId === null) throw invalid('communityId', 'required: you have no home region');
    const community = this.deps.regions().get(communityId);
    if (!community || community.level !== 'COMMUNITY') {
      throw invalid('communityId', 'not a community');
    }
    if (!holdsCommunity(staff, communityId, this.deps.regions())) {
      throw new HttpError('FORBIDDEN', 'This community is outside your region');
    }
    return this.deps.repository.createTeam({ name: body.name, communityId });
  }

  async join(auth: AuthContext | undefined, teamId: number): Promise<TeamDto> {
    const me = requireVolunteer(auth);
    const record = await this.#record(me.user.id);
    if (record.status === 'SUSPENDED') throw notApproved(record.status);
    const team = await this.deps.repository.team(teamId);
    if (!team) throw notFound('Team');
    await this.deps.repository.join(teamId, me.user.id);
    return (await this.deps.repository.team(teamId)) ?? team;
  }

  async leave(auth: AuthContext | undefined, teamId: number): Promise<void> {
    const me = requireVolunteer(auth);
    if (!(await this.deps.repository.team(teamId))) throw notFound('Team');
    await this.deps.repository.leave(teamId, me.user.id);
  }

  async #record(userId: number): Promise<VolunteerRecord> {
    const record = await this.deps.repository.find(userId);
    if (!record) throw notFound('Volunteer');
    return record;
  }

  async #approved(auth: AuthContext | undefined): Promise<VolunteerFieldInfo> {
    const me = requireVolunteer(auth);
    const info = await this.deps.repository.fieldInfo(me.user.id);
    if (!info) throw notFound('Volunteer');
    if (info.status !== 'APPROVED') throw notApproved(info.status);
    return info;
  }

  async #checkCommunity(communityId: number): Promise<void> {
    const community = this.deps.regions().get(communityId);
    if (!community || community.level !== 'COMMUNITY') {
      throw invalid('homeCommunityId', 'not a community');
    }
  }

  async #checkSkills(skills: readonly string[]): Promise<void> {
    const known = new Set((await this.deps.repository.skills()).map((skill) => skill.code));
    const unknown = skills.filter((code) => !known.has(code));
    if (unknown.length > 0) throw invalid('skills', `unknown skills: ${unknown.join(', ')}`);
  }

  async #pruneNowAndThen(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    await this.deps.locator.prune(new Date(now - LOCATOR_RETAIN_MS));
  }
}

function requireVolunteer(auth: AuthContext | undefined): AuthContext {
  return requireRoles(auth, new Set(['VOLUNTEER']));
}

function requireRoles(auth: AuthContext | undefined, roles: ReadonlySet<string>): AuthContext {
  if (!auth) throw new HttpError('UNAUTHENTICATED', 'Sign in first');
  if (!roles.has(auth.user.role)) throw new HttpError('FORBIDDEN', 'Your role may not do this');
  return auth;
}

function fieldUser(volunteer: {
  userId: number;
  displayName: string;
  homeCommunityId: number | null;
}): FieldUser {
  return {
    id: volunteer.userId,
    role: 'VOLUNTEER',
    displayName: volunteer.displayName,
    regionId: volunteer.homeCommunityId,
  };
}

const invalid = (path: string, message: string) =>
  new HttpError('VALIDATION_FAILED', 'Invalid request body', [{ path, message }]);

const usernameTaken = () => new HttpError('CONFLICT', 'This username is taken');

/** The profile as the reader may see it: the phone masked unless `fullPhone`. */
export function toProfile(record: VolunteerRecord, fullPhone: boolean): VolunteerProfile {
  return {
    userId: record.userId,
    username: record.username,
    displayName: record.displayName,
    phone: record.phone === null ? null : fullPhone ? record.phone : maskPhone(record.phone),
    status: record.status,
    homeCommunityId: record.homeCommunityId,
    skills: record.skills,
    teams: record.teams,
    onDuty: record.onDuty,
    balance: record.balance,
  };
}
