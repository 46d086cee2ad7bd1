import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import { startSystem, type Session, type TestSystem } from './support/system.ts';

// The accept race as the bench runs it, small: the assignee's requests, each on its own
// connection, accept one ticket at once. Exactly one wins; the others get 409.
const CLIENTS = 50;
const RACES = 5;

describe('first accept wins', () => {
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

  it(`gives exactly one of ${CLIENTS} concurrent accepts the ticket, ${RACES} times over`, async () => {
    for (let race = 0; race < RACES; race++) {
      const created = await member.post<{ ticket: TicketSummary }>('/api/tickets', {
        categoryCode: 'NOISE',
        description: `accept race ${race}`,
        location: where,
      });
      expect(created.status).toBe(201);
      const { ticket } = created.body;
      expect(ticket.status).toBe('ASSIGNED');

      const answers = await Promise.all(
        Array.from({ length: CLIENTS }, () =>
          member.post<{ ticket?: TicketSummary; error?: { code: string; details?: unknown } }>(
            `/api/tickets/${ticket.id}/accept`,
            { version: ticket.version },
          ),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(CLIENTS - 1);
      const winner = answers.find((answer) => answer.status === 200)!;
      expect(winner.body.ticket).toMatchObject({ status: 'ACCEPTED', version: ticket.version + 1 });

      const stored = await system.server.prisma.ticket.findUniqueOrThrow({
        where: { id: ticket.id },
        include: { events: { orderBy: { id: 'asc' } } },
      });
      expect(stored.status).toBe('ACCEPTED');
      expect(stored.version).toBe(ticket.version + 1);
      expect(stored.events.filter((event) => event.type === 'ticket.accepted')).toHaveLength(1);
      // The event ids of the ticket's timeline are increasing and its last is the accept.
      expect(stored.events.at(-1)!.type).toBe('ticket.accepted');
    }
  });
});
