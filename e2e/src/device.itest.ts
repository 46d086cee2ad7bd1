import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskEventPayload, TicketSummary } from '@gridline/core';
import { DeviceKeys, loadConfig } from '@gridline/server';
import { recordEvents, startSystem, waitFor, type TestSystem } from './support/system.ts';

describe('call buttons', () => {
  let system: TestSystem;
  const keys = new DeviceKeys(loadConfig({}).deviceSecret);

  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.close());

  const call = (deviceId: string, body: unknown, key = keys.keyFor(deviceId)) =>
    fetch(`${system.baseUrl}/api/devices/${deviceId}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'x-device-key': key } : {}) },
      body: JSON.stringify(body),
    });

  it('files an urgent ticket for the service at the home of the registered care recipient, live to the grid', async () => {
    const prisma = system.server.prisma;
    const device = await prisma.device.findFirstOrThrow({ include: { careRecipient: true } });
    const home = device.careRecipient;
    const gridMember = await prisma.gridAssignment.findUniqueOrThrow({
      where: { gridId: home.gridId! },
    });
    const staff = await prisma.user.findUniqueOrThrow({ where: { id: gridMember.memberId } });
    const session = await system.login(staff.username);
    const seen = recordEvents(await session.socket());

    const response = await call(device.id, { service: 'MEALS' });
    expect(response.status).toBe(201);
    const { ticket } = (await response.json()) as { ticket: TicketSummary };
    expect(ticket).toMatchObject({
      channel: 'DEVICE',
      priority: 'URGENT',
      categoryCode: 'ELDERLY_MEALS',
      gridId: home.gridId,
      location: { lat: home.lat, lng: home.lng },
      address: home.address,
      assigneeId: staff.id,
    });
    await waitFor(
      () => seen.find((event) => event.ticket.id === ticket.id),
      5000,
      'push to the grid member',
    );
    const row = await prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
    expect(row.reporterName).toBe(home.householdName);
  });

  it('asks the nearest volunteers to help when the service is one they can serve', async () => {
    const prisma = system.server.prisma;
    const device = await prisma.device.findFirstOrThrow({
      where: { active: true },
      include: { careRecipient: true },
      orderBy: { id: 'desc' },
    });
    const home = device.careRecipient;
    const cook = await prisma.volunteerSkill.findFirstOrThrow({
      where: { skill: { code: 'COOKING' }, volunteer: { status: 'APPROVED' } },
      include: { volunteer: { include: { user: true } } },
    });
    const volunteer = await system.login(cook.volunteer.user.username);
    expect((await volunteer.post('/api/volunteers/me/duty', { onDuty: true })).status).toBe(200);
    const nearby = { lat: home.lat + 0.001, lng: home.lng };
    expect((await volunteer.post('/api/volunteers/me/location', nearby)).status).toBe(200);
    const socket = await volunteer.socket();
    const offers: TaskEventPayload[] = [];
    socket.on('task.offered', (payload) => offers.push(payload));

    const response = await call(device.id, { service: 'MEALS' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      ticket: TicketSummary;
      volunteerTask: { id: number } | null;
    };
    expect(body.volunteerTask).not.toBeNull();
    const task = await prisma.task.findUniqueOrThrow({
      where: { id: body.volunteerTask!.id },
      include: { skills: { include: { skill: true } } },
    });
    expect(task).toMatchObject({
      ticketId: body.ticket.id,
      careRecipientId: home.id,
      lat: home.lat,
      lng: home.lng,
      createdById: body.ticket.assigneeId,
    });
    expect(task.skills.map((row) => row.skill.code)).toEqual(['COOKING']);
    const offer = await waitFor(
      () => offers.find((payload) => payload.task.id === task.id),
      5000,
      'the offer to the volunteer nearby',
    );
    expect(offer.assignment?.volunteerId).toBe(cook.volunteerId);
    socket.disconnect();

    // A doctor's visit is not volunteers' work: the ticket only.
    const medical = await call(device.id, { service: 'MEDICAL' });
    expect(medical.status).toBe(201);
    const medicalBody = (await medical.json()) as {
      ticket: TicketSummary;
      volunteerTask?: unknown;
    };
    expect(medicalBody.volunteerTask).toBeUndefined();
    expect(await prisma.task.count({ where: { ticketId: medicalBody.ticket.id } })).toBe(0);
  });

  it('refuses a wrong key, an unknown device and an unknown service, writing nothing', async () => {
    const prisma = system.server.prisma;
    const device = await prisma.device.findFirstOrThrow();
    const before = await prisma.ticket.count();
    expect((await call(device.id, { service: 'MEALS' }, 'f'.repeat(64))).status).toBe(401);
    expect((await call(device.id, { service: 'MEALS' }, '')).status).toBe(401);
    expect((await call('CB-NOPE', { service: 'MEALS' })).status).toBe(404);
    expect((await call(device.id, { service: 'PIZZA' })).status).toBe(400);
    expect((await call(device.id, { service: 'MEALS', extra: 1 })).status).toBe(400);
    await prisma.device.update({ where: { id: device.id }, data: { active: false } });
    expect((await call(device.id, { service: 'MEALS' })).status).toBe(404);
    expect(await prisma.ticket.count()).toBe(before);
  });
});
