import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import {
  DEMO_PASSWORD,
  recordEvents,
  startSystem,
  type Session,
  type TestSystem,
} from './support/system.ts';

// TIME_SCALE 3600: WATER_LEAK (high priority) must be accepted within 10 min -> 167 ms,
// and resolved within 4 h -> 4 s.
const TIME_SCALE = 3600;

describe('the closed loop', () => {
  let system: TestSystem;
  let member: Session;
  let community: Session;
  let dispatcher: Session;
  let resident: Session;
  let where: { lat: number; lng: number };

  beforeAll(async () => {
    system = await startSystem({ timeScale: TIME_SCALE });
    await system.server.prisma.user.create({
      data: {
        username: 'resident-wang',
        displayName: '王女士',
        role: 'RESIDENT',
        phone: '13900001111',
        passwordHash: await hash(DEMO_PASSWORD),
      },
    });
    [member, community, dispatcher, resident] = await Promise.all([
      system.login('member'),
      system.login('community'),
      system.login('dispatcher'),
      system.login('resident-wang'),
    ]);
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
  });
  afterAll(() => system?.close());

  const report = async (by: Session, categoryCode = 'NOISE', priority = 'LOW') => {
    const response = await by.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode,
      priority,
      description: '楼道漏水',
      location: where,
    });
    expect(response.status).toBe(201);
    return response.body.ticket;
  };
  const act = (as: Session, ticket: { id: number }, action: string, body: unknown = {}) =>
    as.post<{ ticket: TicketSummary; error?: { code: string } }>(
      `/api/tickets/${ticket.id}/${action}`,
      body,
    );

  it('walks report -> accept -> start -> pend -> resume -> resolve -> rate -> reopen, with every step on the timeline', async () => {
    const ticket = await report(resident);
    expect((await act(member, ticket, 'accept')).body.ticket.status).toBe('ACCEPTED');
    expect((await act(member, ticket, 'start')).body.ticket.status).toBe('IN_PROGRESS');
    expect((await act(member, ticket, 'pend', {})).status).toBe(400);
    const pended = await act(member, ticket, 'pend', { reason: '等待物业提供钥匙' });
    expect(pended.body.ticket.status).toBe('PENDING');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const resumed = await act(member, ticket, 'resume');
    expect(resumed.body.ticket.status).toBe('IN_PROGRESS');
    // The resolve clock stopped while pending: the deadline moved by at least the pause.
    const moved =
      Date.parse(resumed.body.ticket.resolveBy!) - Date.parse(pended.body.ticket.resolveBy!);
    expect(moved).toBeGreaterThanOrEqual(300);
    expect((await act(resident, ticket, 'resolve', { note: 'x' })).status).toBe(403);
    const resolved = await act(member, ticket, 'resolve', { note: '已更换阀门' });
    expect(resolved.body.ticket.status).toBe('RESOLVED');
    expect((await act(member, ticket, 'rate', { rating: 'GOOD' })).status).toBe(403);
    const rated = await act(resident, ticket, 'rate', { rating: 'BAD', comment: '还在漏' });
    expect(rated.status).toBe(200);
    const reopened = await act(resident, ticket, 'reopen', { reason: '问题没有解决' });
    expect(reopened.body.ticket).toMatchObject({
      status: 'REOPENED',
      assigneeId: member.user.id,
      escalationLevel: 0,
    });

    const detail = await dispatcher.get<{
      timeline: Array<{ type: string; data: { action?: string } }>;
    }>(`/api/tickets/${ticket.id}`);
    expect(detail.body.timeline.map((event) => event.data.action ?? event.type)).toEqual([
      'ticket.created',
      'ticket.assigned',
      'accept',
      'start',
      'pend',
      'resume',
      'resolve',
      'rated',
      'reopen',
    ]);
  });

  it('needs community verification before closing where the category says so', async () => {
    const ticket = await report(resident, 'ROAD_DAMAGE');
    await act(member, ticket, 'accept');
    await act(member, ticket, 'resolve', { note: '已修补' });
    const early = await act(community, ticket, 'close');
    expect(early.status).toBe(409);
    expect((await act(member, ticket, 'verify')).status).toBe(403);
    expect((await act(community, ticket, 'verify', { note: '现场核实' })).body.ticket.status).toBe(
      'VERIFIED',
    );
    expect((await act(community, ticket, 'close')).body.ticket.status).toBe('CLOSED');
  });

  it('answers a stale version or a moved-on state with 409, and lets dispatchers reassign and cancel', async () => {
    const ticket = await report(resident);
    expect((await act(member, ticket, 'accept', { version: ticket.version + 5 })).status).toBe(409);
    const prisma = system.server.prisma;
    const grid = await prisma.region.findUniqueOrThrow({ where: { id: member.user.regionId! } });
    // A grid member of a sibling grid does not cover this ticket; the community's staff does.
    const farAway = await prisma.user.findFirstOrThrow({
      where: { role: 'GRID_MEMBER', region: { parentId: grid.parentId, id: { not: grid.id } } },
    });
    expect((await act(dispatcher, ticket, 'assign', { assigneeId: farAway.id })).status).toBe(422);
    const reassigned = await act(dispatcher, ticket, 'assign', { assigneeId: community.user.id });
    expect(reassigned.body.ticket).toMatchObject({
      status: 'ASSIGNED',
      assigneeId: community.user.id,
    });
    expect((await act(member, ticket, 'accept')).status).toBe(403);
    expect((await act(community, ticket, 'cancel', { reason: '重复' })).status).toBe(403);
    expect(
      (await act(dispatcher, ticket, 'cancel', { reason: '居民撤回' })).body.ticket.status,
    ).toBe('CANCELLED');
    expect((await act(dispatcher, ticket, 'cancel', { reason: '再次' })).status).toBe(409);
    expect((await act(dispatcher, { id: 999_999 }, 'cancel', { reason: 'x' })).status).toBe(404);
    expect((await act(dispatcher, ticket, 'fly')).status).toBe(400);
  });

  it('reminds the assignee at 50% and 80% of the resolve window, then marks the ticket overdue and escalates it', async () => {
    const socket = await member.socket();
    const seen = recordEvents(socket);
    const ticket = await report(resident, 'WATER_LEAK', 'HIGH');
    const accepted = await act(member, ticket, 'accept');
    expect(accepted.status).toBe(200);
    const due = Date.parse(accepted.body.ticket.resolveBy!);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    const deadline = Date.now() + 5000;
    let overdue = false;
    while (!overdue && Date.now() < deadline) {
      const current = await system.server.prisma.ticket.findUniqueOrThrow({
        where: { id: ticket.id },
      });
      overdue = current.overdue;
      if (!overdue) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(overdue).toBe(true);
    const escalations = await system.server.prisma.ticketEvent.findMany({
      where: { ticketId: ticket.id, type: 'ticket.escalated' },
    });
    expect(escalations.map((event) => (event.payload as { reason: string }).reason)).toEqual([
      'resolve-deadline',
    ]);
    const after = await system.server.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
    expect(after).toMatchObject({
      status: 'ACCEPTED',
      assigneeId: member.user.id,
      escalationLevel: 1,
    });
    const reminders = seen.filter(
      (event) => event.ticket.id === ticket.id && event.data.action === 'reminder',
    );
    expect(reminders.map((event) => [event.data.seq, event.data.fraction])).toEqual([
      [0, 0.5],
      [1, 0.8],
    ]);
    // A reminder changes no state: the version clients hold stays valid.
    expect(reminders.every((event) => event.ticket.version === accepted.body.ticket.version)).toBe(
      true,
    );
  });

  it('accepts a patrol report on creation, for grid members only', async () => {
    const patrol = await member.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'GARBAGE',
      channel: 'PATROL',
      description: '巡查发现垃圾堆放',
      location: where,
    });
    expect(patrol.status).toBe(201);
    expect(patrol.body.ticket).toMatchObject({ status: 'ACCEPTED', assigneeId: member.user.id });
    const job = await system.workers!.queue.getJob(
      `resolve-deadline-${patrol.body.ticket.id}-${patrol.body.ticket.version}`,
    );
    expect(job?.data.kind).toBe('resolve-deadline');
    const notMine = await community.post('/api/tickets', {
      categoryCode: 'GARBAGE',
      channel: 'PATROL',
      description: '巡查',
      location: where,
    });
    expect(notMine.status).toBe(403);
  });

  it('offers the nearest likely duplicates first, however many open tickets the area holds', async () => {
    const fileAt = (lat: number) =>
      resident.post<{
        ticket: TicketSummary;
        likelyDuplicates: Array<{ id: number; distanceM: number }>;
      }>('/api/tickets', {
        categoryCode: 'ROAD_DAMAGE',
        description: '路面塌陷',
        location: { lat, lng: where.lng },
      });
    // More than the statement used to read back unordered, filed before the near one and
    // south of it, so neither the table's nor the (category, lat, lng) index's order finds it first.
    for (let k = 0; k < 55; k++) expect((await fileAt(where.lat - 0.001)).status).toBe(201);
    const near = await fileAt(where.lat + 0.0002);

    const report = await fileAt(where.lat);
    const offered = report.body.likelyDuplicates;
    expect(offered).toHaveLength(5);
    expect(offered[0]).toMatchObject({ id: near.body.ticket.id });
    expect(offered[0]!.distanceM).toBeLessThan(30);
    expect(offered.slice(1).every((candidate) => candidate.distanceM > 100)).toBe(true);
    const asked = await fetch(
      `${system.baseUrl}/api/tickets/duplicates?categoryCode=ROAD_DAMAGE&lat=${where.lat - 0.00005}&lng=${where.lng}`,
    );
    const { duplicates } = (await asked.json()) as { duplicates: Array<{ id: number }> };
    expect(duplicates.map((candidate) => candidate.id).slice(0, 2)).toEqual([
      report.body.ticket.id,
      near.body.ticket.id,
    ]);
  });

  it('offers open tickets of the same category within 150 m as likely duplicates', async () => {
    const first = await report(resident, 'STREET_LIGHT');
    const near = { lat: where.lat + 0.0005, lng: where.lng };
    const second = await resident.post<{
      likelyDuplicates: Array<{ id: number; distanceM: number }>;
    }>('/api/tickets', { categoryCode: 'STREET_LIGHT', description: '路灯不亮', location: near });
    expect(second.body.likelyDuplicates.map((candidate) => candidate.id)).toContain(first.id);
    const distance = second.body.likelyDuplicates.find(
      (candidate) => candidate.id === first.id,
    )!.distanceM;
    expect(distance).toBeGreaterThan(40);
    expect(distance).toBeLessThan(70);
    const far = await fetch(
      `${system.baseUrl}/api/tickets/duplicates?categoryCode=STREET_LIGHT&lat=${where.lat + 0.01}&lng=${where.lng}`,
    );
    expect(((await far.json()) as { duplicates: unknown[] }).duplicates).toEqual([]);
    const otherCategory = await fetch(
      `${system.baseUrl}/api/tickets/duplicates?categoryCode=GARBAGE&lat=${where.lat}&lng=${where.lng}`,
    );
    const ids = (
      (await otherCategory.json()) as { duplicates: Array<{ id: number }> }
    ).duplicates.map((d) => d.id);
    expect(ids).not.toContain(first.id);
    const bad = await fetch(
      `${system.baseUrl}/api/tickets/duplicates?categoryCode=STREET_LIGHT&lat=200&lng=1`,
    );
    expect(bad.status).toBe(400);
  });

  it("shows the caller's phone to those who call back and masks it for the others", async () => {
    const created = (await (
      await fetch(`${system.baseUrl}/api/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          categoryCode: 'NOISE',
          description: '电话反映噪音',
          location: where,
          reporter: { name: '李先生', phone: '13812345678' },
        }),
      })
    ).json()) as { ticket: TicketSummary };
    const reassigned = await act(dispatcher, created.ticket, 'assign', {
      assigneeId: community.user.id,
    });
    expect(reassigned.status).toBe(200);
    type Detail = { ticket: { reporter: { name: string; phone: string } } };
    expect(
      (await dispatcher.get<Detail>(`/api/tickets/${created.ticket.id}`)).body.ticket.reporter
        .phone,
    ).toBe('13812345678');
    expect(
      (await member.get<Detail>(`/api/tickets/${created.ticket.id}`)).body.ticket.reporter,
    ).toEqual({
      name: '李先生',
      phone: '138****5678',
    });
  });

  it('transfers a ticket to another grid: new assignee, and the old grid hears it leave', async () => {
    const prisma = system.server.prisma;
    const ticket = await report(resident);
    const memberSocket = await member.socket();
    const memberSeen = recordEvents(memberSocket);
    const otherGrid = await prisma.region.findFirstOrThrow({
      where: { level: 'GRID', parent: { name: '永丰社区' } },
      include: { gridAssignment: true },
    });
    expect(
      (await act(community, ticket, 'transfer', { gridId: otherGrid.id, reason: '属地错误' }))
        .status,
    ).toBe(403);
    expect(
      (await act(dispatcher, ticket, 'transfer', { gridId: otherGrid.parentId!, reason: 'x' }))
        .status,
    ).toBe(422);
    const moved = await act(dispatcher, ticket, 'transfer', {
      gridId: otherGrid.id,
      reason: '属地错误',
    });
    expect(moved.body.ticket).toMatchObject({
      status: 'ASSIGNED',
      gridId: otherGrid.id,
      communityId: otherGrid.parentId,
      assigneeId: otherGrid.gridAssignment!.memberId,
      escalationLevel: 0,
    });
    const left = await (async () => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const event = memberSeen.find(
          (e) => e.ticket.id === ticket.id && e.data.action === 'transfer',
        );
        if (event) return event;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return undefined;
    })();
    expect(left?.ticket.gridId).toBe(otherGrid.id);
    // The member of the old grid can no longer see it.
    expect((await member.get(`/api/tickets/${ticket.id}`)).status).toBe(403);
  });

  it('closes on rating, and schedules the rating window that closes unrated tickets', async () => {
    const ticket = await report(resident);
    await act(member, ticket, 'accept');
    const resolved = await act(member, ticket, 'resolve', { note: '已处理' });
    const job = await system.workers!.queue.getJob(
      `close-window-${ticket.id}-${resolved.body.ticket.version}`,
    );
    expect(job?.data.kind).toBe('close-window');
    const rated = await act(resident, ticket, 'rate', { rating: 'GOOD' });
    expect(rated.body.ticket.status).toBe('CLOSED');
    const row = await system.server.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
    expect(row).toMatchObject({ rating: 'GOOD', status: 'CLOSED' });
  });

  it('merges a duplicate into the original and unmerges it, noting both on the original', async () => {
    const original = await report(resident, 'GREENERY');
    const duplicate = await report(resident, 'GREENERY');
    expect((await act(community, duplicate, 'merge', { intoId: duplicate.id })).status).toBe(422);
    expect((await act(member, duplicate, 'merge', { intoId: original.id })).status).toBe(403);
    const merged = await act(community, duplicate, 'merge', { intoId: original.id });
    expect(merged.body.ticket.status).toBe('DUPLICATE');
    const row = await system.server.prisma.ticket.findUniqueOrThrow({
      where: { id: duplicate.id },
    });
    expect(row.duplicateOfId).toBe(original.id);
    // The duplicate's deadline timer went with it; the original's did not move.
    const queue = system.workers!.queue;
    expect(
      await queue.getJob(`accept-deadline-${duplicate.id}-${duplicate.version}`),
    ).toBeUndefined();
    await vi.waitFor(async () =>
      expect(
        await queue.getJob(`accept-deadline-${original.id}-${original.version}`),
      ).toBeDefined(),
    );
    // The duplicate's reporter follows the original: its updates reach them.
    const residentSeen = recordEvents(await resident.socket());
    expect((await act(member, original, 'accept')).status).toBe(200);
    const followed = await (async () => {
      for (const until = Date.now() + 5000; Date.now() < until; ) {
        const found = residentSeen.find(
          (e) => e.ticket.id === original.id && e.type === 'ticket.accepted',
        );
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return undefined;
    })();
    expect(followed?.ticket.status).toBe('ACCEPTED');
    const unmerged = await act(community, duplicate, 'unmerge', {});
    expect(unmerged.body.ticket).toMatchObject({ status: 'ASSIGNED' });
    expect(
      await queue.getJob(`accept-deadline-${duplicate.id}-${unmerged.body.ticket.version}`),
    ).toBeDefined();
    const timeline = await dispatcher.get<{ timeline: Array<{ data: { action?: string } }> }>(
      `/api/tickets/${original.id}`,
    );
    expect(timeline.body.timeline.map((event) => event.data.action).filter(Boolean)).toEqual([
      'merged',
      'accept',
      'unmerged',
    ]);
  });

  it('summons departments (吹哨报到): each reports or escalates on its own deadline', async () => {
    const ticket = await report(resident, 'ILLEGAL_CONSTRUCTION');
    const summon = (as: Session, body: unknown) =>
      as.post<{ summons: Array<{ id: number; department: string }> }>(
        `/api/tickets/${ticket.id}/summon`,
        body,
      );
    expect((await summon(community, { departments: ['城管执法'] })).status).toBe(403);
    expect((await summon(dispatcher, { departments: [] })).status).toBe(400);
    expect((await summon(dispatcher, { departments: ['城管', '城管'] })).status).toBe(400);
    // The department that reports has 10 hours (10 s at this TIME_SCALE), so a slow machine
    // cannot let its deadline pass before the report; the one that does not report has
    // 10 minutes (167 ms) at each level.
    const summonedToReport = await summon(dispatcher, {
      departments: ['城管执法'],
      reportMinutes: 600,
    });
    expect(summonedToReport.status).toBe(201);
    const summonedToEscalate = await summon(dispatcher, {
      departments: ['住建局'],
      reportMinutes: 10,
    });
    expect(summonedToEscalate.status).toBe(201);
    const enforcement = summonedToReport.body.summons[0]!;
    const housing = summonedToEscalate.body.summons[0]!;
    const reportPath = (id: number) => `/api/tickets/${ticket.id}/summons/${id}/report`;
    expect((await member.post(reportPath(enforcement.id), { note: '已到场' })).status).toBe(403);
    expect((await community.post(reportPath(enforcement.id), { note: '已到场' })).status).toBe(200);
    expect((await community.post(reportPath(enforcement.id), { note: '再次' })).status).toBe(409);
    expect(
      (await community.post(`/api/tickets/${ticket.id}/summons/999999/report`, { note: 'x' }))
        .status,
    ).toBe(404);

    const deadline = Date.now() + 8000;
    type Listed = { summons: Array<{ id: number; status: string; escalationLevel: number }> };
    let listed: Listed['summons'] = [];
    while (Date.now() < deadline) {
      listed = (await dispatcher.get<Listed>(`/api/tickets/${ticket.id}/summons`)).body.summons;
      if (listed.find((item) => item.id === housing.id)?.escalationLevel === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listed).toEqual([
      expect.objectContaining({ id: enforcement.id, status: 'REPORTED', escalationLevel: 0 }),
      expect.objectContaining({ id: housing.id, status: 'ESCALATED', escalationLevel: 2 }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const escalations = await system.server.prisma.ticketEvent.findMany({
      where: { ticketId: ticket.id, type: 'ticket.escalated' },
      orderBy: { id: 'asc' },
    });
    // The ticket's own accept deadline escalates too; the summons climb on their own.
    const ofSummons = escalations
      .map((event) => event.payload as { reason: string })
      .filter((payload) => payload.reason === 'summons-deadline');
    expect(ofSummons).toEqual([
      expect.objectContaining({ reason: 'summons-deadline', summonsId: housing.id, toLevel: 1 }),
      expect.objectContaining({ reason: 'summons-deadline', summonsId: housing.id, toLevel: 2 }),
    ]);
  });
});
