import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicTicket, TicketSummary } from '@gridline/core';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

describe('the public map of recent tickets', () => {
  let system: TestSystem;
  let member: Session;
  let where: { lat: number; lng: number };

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
  });
  afterAll(() => system?.close());

  const report = async (categoryCode: string, location: { lat: number; lng: number }) => {
    const response = await fetch(`${system.baseUrl}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        categoryCode,
        description: '张三 13912345678 家门口',
        address: '健身社区 3 号楼 2 单元 301',
        location,
        reporter: { name: '张三', phone: '13912345678' },
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { ticket: TicketSummary }).ticket;
  };
  const publicTickets = async (query = '') => {
    const response = await fetch(`${system.baseUrl}/api/public/tickets${query}`);
    return {
      status: response.status,
      body: (await response.json()) as { tickets: PublicTicket[] },
    };
  };

  it('shows recent tickets with their place and status, and nothing personal', async () => {
    const noise = await report('NOISE', { lat: where.lat + 0.00123, lng: where.lng + 0.00456 });
    const { status, body } = await publicTickets();
    expect(status).toBe(200);
    const shown = body.tickets.find((ticket) => ticket.code === noise.code);
    expect(shown).toEqual({
      code: noise.code,
      categoryCode: 'NOISE',
      status: noise.status,
      open: true,
      location: noise.location,
      blurred: false,
      createdAt: noise.createdAt,
    });
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/13912345678|张三|301|description|address|assignee/);
  });

  it('blurs the place of a sensitive category to about 100 m', async () => {
    const precise = { lat: where.lat + 0.000987, lng: where.lng - 0.000654 };
    const dispute = await report('NEIGHBOUR_DISPUTE', precise);
    const { body } = await publicTickets('?categoryCode=NEIGHBOUR_DISPUTE');
    expect(body.tickets.every((ticket) => ticket.categoryCode === 'NEIGHBOUR_DISPUTE')).toBe(true);
    const shown = body.tickets.find((ticket) => ticket.code === dispute.code)!;
    expect(shown.blurred).toBe(true);
    expect(shown.location).toEqual({
      lat: Math.round(precise.lat * 1000) / 1000,
      lng: Math.round(precise.lng * 1000) / 1000,
    });
    expect(shown.location).not.toEqual(dispute.location);
  });

  it('refuses bad queries with 400', async () => {
    for (const query of ['?days=0', '?days=31', '?days=x', '?categoryCode=<b>', '?other=1']) {
      expect((await publicTickets(query)).status).toBe(400);
    }
  });
});
