import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import { eventually, startSystem, type Session, type TestSystem } from './support/system.ts';

interface Load {
  regionId: number;
  open: number;
  overdue: number;
}
interface Staff {
  id: number;
  role: string;
  regionId: number;
  onDuty: boolean;
  openTickets: number;
}

/** The two region routes behind the dispatcher's map: load counts and assignable staff. */
describe('GET /api/regions/load and /api/regions/:id/staff', () => {
  let system: TestSystem;
  let dispatcher: Session;
  let member: Session;
  let community: Session;
  let chain: { grid: number; community: number; street: number; district: number; city: number };

  beforeAll(async () => {
    // TIME_SCALE 60: an urgent ticket's 5-minute accept deadline passes in 5 s, a low one's in 60 s.
    system = await startSystem({ workers: false, timeScale: 60 });
    dispatcher = await system.login('dispatcher');
    member = await system.login('member');
    community = await system.login('community');
    const ids: number[] = [];
    for (let id: number | null = member.user.regionId; id !== null; ) {
      const found: { body: { region: { id: number; parentId: number | null } } } =
        await dispatcher.get(`/api/regions/${id}`);
      ids.push(found.body.region.id);
      id = found.body.region.parentId;
    }
    const [grid, communityId, street, district, city] = ids as [
      number,
      number,
      number,
      number,
      number,
    ];
    chain = { grid, community: communityId, street, district, city };
  });
  afterAll(async () => {
    await system?.close();
  });

  const post = async (priority: string): Promise<TicketSummary> => {
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${chain.grid}`,
    );
    const response = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'NOISE',
      priority,
      description: '测试',
      location: grid.body.region.centroid,
    });
    expect(response.status).toBe(201);
    return response.body.ticket;
  };

  it('counts open and overdue tickets per child region, live from the tickets', async () => {
    const before = await dispatcher.get<{ load: Load[] }>(
      `/api/regions/load?level=GRID&parentId=${chain.community}`,
    );
    expect(before.status).toBe(200);
    expect(before.body.load.find((entry) => entry.regionId === chain.grid)).toBeUndefined();

    const first = await post('LOW');
    await post('NORMAL');
    const after = await dispatcher.get<{ load: Load[] }>(
      `/api/regions/load?level=GRID&parentId=${chain.community}`,
    );
    expect(after.body.load).toEqual([{ regionId: chain.grid, open: 2, overdue: 0 }]);

    // A ticket that is no longer open leaves the counts.
    expect(
      (await dispatcher.post(`/api/tickets/${first.id}/cancel`, { reason: '测试撤销' })).status,
    ).toBe(200);
    const districts = await dispatcher.get<{ load: Load[] }>(
      `/api/regions/load?level=DISTRICT&parentId=${chain.city}`,
    );
    expect(districts.body.load).toEqual([{ regionId: chain.district, open: 1, overdue: 0 }]);

    // An urgent ticket whose accept-by has passed counts as overdue (no worker escalated it).
    await post('URGENT');
    const overdue = await eventually(async () => {
      const { body } = await dispatcher.get<{ load: Load[] }>('/api/regions/load?level=STREET');
      return body.load[0]?.overdue === 1 ? body.load : null;
    }, 15_000);
    // Without a parent: every region of the level in scope.
    expect(overdue).toEqual([{ regionId: chain.street, open: 2, overdue: 1 }]);
  });

  it('refuses bad levels, unknown parents and parents outside the caller', async () => {
    expect((await dispatcher.get('/api/regions/load?level=CITY')).status).toBe(400);
    expect((await dispatcher.get('/api/regions/load')).status).toBe(400);
    expect((await dispatcher.get('/api/regions/load?level=GRID&parentId=999999')).status).toBe(404);
    const others = await dispatcher.get<{ regions: Array<{ id: number }> }>(
      `/api/regions?level=COMMUNITY&parentId=${chain.street}`,
    );
    const sibling = others.body.regions.find((region) => region.id !== chain.community)!;
    expect(
      (await community.get(`/api/regions/load?level=GRID&parentId=${sibling.id}`)).status,
    ).toBe(403);
    const anonymous = await fetch(`${system.baseUrl}/api/regions/load?level=GRID`);
    expect(anonymous.status).toBe(401);
  });

  it('lists who may take a ticket in a grid: its member and the staff above, nearest first', async () => {
    const { status, body } = await dispatcher.get<{ staff: Staff[] }>(
      `/api/regions/${chain.grid}/staff`,
    );
    expect(status).toBe(200);
    expect(body.staff[0]).toMatchObject({ id: member.user.id, role: 'GRID_MEMBER' });
    expect(body.staff.some((person) => person.id === community.user.id)).toBe(true);
    const order = [chain.grid, chain.community, chain.street, chain.district, chain.city];
    const ranks = body.staff.map((person) => order.indexOf(person.regionId));
    expect(ranks.every((rank) => rank >= 0)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // Each one assignable by the state machine's rule: assigning the first succeeds.
    const ticket = await post('LOW');
    const assigned = await dispatcher.post<{ ticket: TicketSummary }>(
      `/api/tickets/${ticket.id}/assign`,
      { assigneeId: community.user.id, version: ticket.version },
    );
    expect(assigned.status).toBe(200);
    const again = await dispatcher.get<{ staff: Staff[] }>(`/api/regions/${chain.grid}/staff`);
    const load = again.body.staff.find((person) => person.id === community.user.id)!.openTickets;
    const was = body.staff.find((person) => person.id === community.user.id)!.openTickets;
    expect(load).toBe(was + 1);
  });

  it('keeps staff lists inside the caller region', async () => {
    const others = await dispatcher.get<{ regions: Array<{ id: number }> }>(
      `/api/regions?level=COMMUNITY&parentId=${chain.street}`,
    );
    const sibling = others.body.regions.find((region) => region.id !== chain.community)!;
    expect((await community.get(`/api/regions/${sibling.id}/staff`)).status).toBe(403);
    expect((await dispatcher.get('/api/regions/999999/staff')).status).toBe(404);
  });
});
