import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../scripts/simulator/simulator.ts';
import { eventually, startSystem, type TestSystem } from './support/system.ts';

// TIME_SCALE 3600: accept windows of minutes pass in a fraction of a second and resolve
// windows of hours in seconds, so a few seconds of simulated traffic show the whole loop.
describe('the demo traffic simulator', () => {
  let system: TestSystem;
  let simulator: Simulator | undefined;

  beforeAll(async () => {
    system = await startSystem({ timeScale: 3600 });
  });
  afterAll(async () => {
    await simulator?.stop();
    await system?.close();
  });

  it('files reports through every channel, and staff accept, resolve and miss deadlines', async () => {
    const lines: string[] = [];
    simulator = await startSimulator({
      baseUrl: system.baseUrl,
      prisma: system.server.prisma,
      sessionSecret: 'test-secret',
      peakPerMinute: 900,
      lateShare: 0.3,
      seed: 42,
      hourOfDay: () => 9,
      volunteers: 0,
      log: (line) => lines.push(line),
    });
    const prisma = system.server.prisma;
    const seen = await eventually(
      async () => {
        const [channels, accepted, resolved, escalated] = await Promise.all([
          prisma.ticket.groupBy({ by: ['channel'], _count: true }),
          prisma.ticketEvent.count({ where: { type: 'ticket.accepted', actorId: { not: null } } }),
          prisma.ticketEvent.count({ where: { type: 'ticket.resolved' } }),
          prisma.ticketEvent.count({ where: { type: 'ticket.escalated' } }),
        ]);
        // The simulator counts a resolve when its answer is back, a moment after the commit.
        const done =
          channels.length === 3 &&
          accepted > 0 &&
          resolved > 0 &&
          escalated > 0 &&
          simulator!.stats.resolved > 0 &&
          channels;
        return done && { channels, accepted, resolved, escalated };
      },
      30_000,
      'simulated reports to be filed, accepted, resolved and escalated',
    );
    expect(seen.channels.map((row) => row.channel).sort()).toEqual(['HOTLINE', 'PATROL', 'WEB']);
    expect(simulator.stats.filed).toBeGreaterThan(10);
    expect(simulator.stats.resolved).toBeGreaterThan(0);
    // Nothing the simulator sent was refused, except where the ticket had moved on (403/409).
    expect(simulator.stats.failed, lines.join('\n')).toBe(0);
  });
});

// TIME_SCALE 600: an offer lives half a second and a task of an hour takes six, slow
// enough for the simulated volunteers to answer in time on a busy machine.
describe("the demo simulator's volunteers", () => {
  let system: TestSystem;
  let simulator: Simulator | undefined;

  beforeAll(async () => {
    system = await startSystem({ timeScale: 600 });
  });
  afterAll(async () => {
    await simulator?.stop();
    await system?.close();
  });

  it('go on duty, take offers, check in and out and earn points, and show on the map', async () => {
    const lines: string[] = [];
    simulator = await startSimulator({
      baseUrl: system.baseUrl,
      prisma: system.server.prisma,
      sessionSecret: 'test-secret',
      peakPerMinute: 30,
      seed: 7,
      hourOfDay: () => 9,
      volunteers: 60,
      taskEveryMs: 300,
      log: (line) => lines.push(line),
    });
    const prisma = system.server.prisma;
    const helped = await eventually(
      async () => {
        const [checkedOut, earned] = await Promise.all([
          prisma.taskAssignment.count({ where: { status: 'CHECKED_OUT' } }),
          prisma.pointsLedger.count({ where: { reason: 'task' } }),
        ]);
        // The simulator counts a check-out when its answer is back, a moment after the commit.
        const counted = (simulator!.stats.volunteers?.checkedOut ?? 0) > 0;
        return checkedOut > 0 && earned > 0 && counted && { checkedOut, earned };
      },
      60_000,
      'simulated volunteers to accept tasks, check in and check out',
    );
    expect(helped.earned).toBeGreaterThan(0);
    const volunteers = simulator.stats.volunteers!;
    expect(volunteers.onDuty).toBe(60);
    expect(volunteers.tasksPosted).toBeGreaterThan(0);
    expect(volunteers.offers).toBeGreaterThan(volunteers.accepted);
    expect(volunteers.checkedOut).toBeGreaterThan(0);
    // The dispatcher's map shows the volunteers on duty among the positions.
    const dispatcher = await system.login('dispatcher');
    const positions = await dispatcher.get<{ positions: Array<{ role: string }> }>(
      '/api/positions',
    );
    expect(positions.body.positions.filter((p) => p.role === 'VOLUNTEER').length).toBeGreaterThan(
      0,
    );
    // Nothing was refused but what had moved on (an offer taken or expired: 409).
    expect(simulator.stats.failed, lines.join('\n')).toBe(0);
  });
});
