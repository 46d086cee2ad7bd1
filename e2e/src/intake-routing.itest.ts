import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import { findResponsibleUser } from '@gridline/db';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

// Intake finds who answers for a ticket inside the statement that files it; escalation
// asks findResponsibleUser. Both must name the same person down the whole chain.
describe('intake routes to whoever answers for the grid', () => {
  let system: TestSystem;
  let dispatcher: Session;
  let gridId: number;
  let where: { lat: number; lng: number };
  let assignment: { memberId: number | null; backupId: number | null };
  let cityId: number;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    dispatcher = await system.login('dispatcher');
    const member = await system.login('member');
    gridId = member.user.regionId!;
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${gridId}`,
    );
    where = grid.body.region.centroid;
    cityId = (await system.server.prisma.region.findFirstOrThrow({ where: { level: 'CITY' } })).id;
    assignment = await system.server.prisma.gridAssignment.findUniqueOrThrow({
      where: { gridId },
      select: { memberId: true, backupId: true },
    });
  });
  afterAll(() => system?.close());

  const file = async (categoryCode = 'NOISE') => {
    const response = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode,
      description: '广场舞音响太响',
      location: where,
      channel: 'HOTLINE',
      reporter: { phone: '13800138000' },
    });
    expect(response.status).toBe(201);
    return response.body.ticket;
  };
  const setDuty = (userId: number | null, onDuty: boolean) =>
    userId === null
      ? Promise.resolve()
      : system.server.prisma.user.update({ where: { id: userId }, data: { onDuty } });
  const expected = async (ticket: TicketSummary) =>
    findResponsibleUser(system.server.prisma, ticket, 0, cityId);

  it('names the on-duty member, else the backup, else the community, like escalation does', async () => {
    const prisma = system.server.prisma;
    expect(assignment.memberId).not.toBeNull();
    await setDuty(assignment.memberId, true);
    const toMember = await file();
    expect(toMember.assigneeId).toBe(assignment.memberId);
    expect(toMember.status).toBe('ASSIGNED');

    await setDuty(assignment.memberId, false);
    await setDuty(assignment.backupId, true);
    const toBackup = await file();
    expect(toBackup.assigneeId).toBe(assignment.backupId ?? (await expected(toBackup)));
    expect(toBackup.assigneeId).toBe(await expected(toBackup));

    await setDuty(assignment.backupId, false);
    const toCommunity = await file();
    const staff = await prisma.user.findUniqueOrThrow({ where: { id: toCommunity.assigneeId! } });
    expect(staff.role).toBe('COMMUNITY_STAFF');
    expect(staff.regionId).toBe(toCommunity.communityId);
    expect(toCommunity.assigneeId).toBe(await expected(toCommunity));

    // The timeline says who, in the assignment event the statement completed.
    const events = await prisma.ticketEvent.findMany({
      where: { ticketId: toCommunity.id },
      orderBy: { id: 'asc' },
    });
    expect(events.map((event) => event.type)).toEqual(['ticket.created', 'ticket.assigned']);
    expect(events[1]!.payload).toMatchObject({ assigneeId: toCommunity.assigneeId, level: 0 });
  });

  it('files the ticket as NEW, with no assignment event, when nobody answers', async () => {
    const prisma = system.server.prisma;
    const ticket = await file();
    const regionIds = [ticket.communityId, ticket.streetId, ticket.districtId, cityId].filter(
      (id): id is number => id !== null,
    );
    // Everyone up the chain is away: deactivate them for this test only.
    const away = await prisma.user.findMany({
      where: {
        active: true,
        OR: [
          { id: { in: [assignment.memberId, assignment.backupId].filter((id) => id !== null) } },
          { regionId: { in: regionIds }, role: { in: ['COMMUNITY_STAFF', 'DISPATCHER'] } },
        ],
      },
      select: { id: true },
    });
    const ids = away.map((user) => user.id);
    await prisma.user.updateMany({ where: { id: { in: ids } }, data: { active: false } });
    try {
      const response = await fetch(`${system.baseUrl}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ categoryCode: 'NOISE', description: '无人值守', location: where }),
      });
      expect(response.status).toBe(201);
      const { ticket: unassigned } = (await response.json()) as { ticket: TicketSummary };
      expect(unassigned).toMatchObject({ status: 'NEW', assigneeId: null });
      expect(await expected(unassigned)).toBeNull();
      const events = await prisma.ticketEvent.findMany({ where: { ticketId: unassigned.id } });
      expect(events.map((event) => event.type)).toEqual(['ticket.created']);
    } finally {
      await prisma.user.updateMany({ where: { id: { in: ids } }, data: { active: true } });
    }
  });

  it('offers an open ticket of the same category a few metres away as a likely duplicate', async () => {
    // A category no other test here files, so the five nearest are not all taken.
    const first = await file('GREENERY');
    const response = await dispatcher.post<{
      ticket: TicketSummary;
      likelyDuplicates: Array<{ id: number; distanceM: number }>;
    }>('/api/tickets', {
      categoryCode: 'GREENERY',
      description: '同一处绿化损坏',
      location: { lat: where.lat + 0.0002, lng: where.lng },
    });
    expect(response.status).toBe(201);
    const offered = response.body.likelyDuplicates.find((candidate) => candidate.id === first.id);
    expect(offered?.distanceM).toBeGreaterThan(10);
    expect(offered?.distanceM).toBeLessThan(40);
    expect(response.body.likelyDuplicates.map((candidate) => candidate.id)).not.toContain(
      response.body.ticket.id,
    );
  });
});
