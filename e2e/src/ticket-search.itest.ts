import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

describe('GET /api/tickets?q= searches code, address and phone', () => {
  let system: TestSystem;
  let dispatcher: Session;
  let elsewhere: Session;
  let ticket: TicketSummary;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    dispatcher = await system.login('dispatcher');
    // A street dispatcher of another district: the ticket is not theirs to find.
    elsewhere = await system.login('dsp-210303');
    const member = await system.login('member');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const created = await dispatcher.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'WATER_LEAK',
      description: '楼道水管漏水',
      address: '胜利路88号3单元',
      channel: 'HOTLINE',
      reporter: { phone: '13912345678' },
      location: grid.body.region.centroid,
    });
    expect(created.status).toBe(201);
    ticket = created.body.ticket;
  });
  afterAll(() => system?.close());

  const ids = async (as: Session, q: string) => {
    const response = await as.get<{ tickets: TicketSummary[] }>(
      `/api/tickets?status=open&q=${encodeURIComponent(q)}`,
    );
    expect(response.status).toBe(200);
    return response.body.tickets.map((found) => found.id);
  };

  it('finds a ticket by part of its code, its address or the caller phone digits', async () => {
    expect(await ids(dispatcher, ticket.code.slice(-5).toLowerCase())).toContain(ticket.id);
    expect(await ids(dispatcher, '胜利路88')).toContain(ticket.id);
    expect(await ids(dispatcher, '5678')).toContain(ticket.id);
    expect(await ids(dispatcher, '139 1234')).toContain(ticket.id);
    expect(await ids(dispatcher, '8765')).not.toContain(ticket.id);
    // Three digits are too few to search phones by.
    expect(await ids(dispatcher, '678')).not.toContain(ticket.id);
  });

  it('stays within scope and refuses a query too long', async () => {
    expect(await ids(elsewhere, '5678')).not.toContain(ticket.id);
    const tooLong = await dispatcher.get(`/api/tickets?q=${'x'.repeat(65)}`);
    expect(tooLong.status).toBe(400);
  });
});
