import { Router } from 'express';
import { PUBLIC_MAP_LIMIT, publicTicketOf, publicTicketsQuerySchema } from '@gridline/core';
import type { PrismaClient } from '@gridline/db';
import { parseOr400 } from '../http/errors.ts';

/**
 * `GET /api/public/tickets`: recent tickets for the public map, to anyone.
 * Only the code, category, status, time and place; sensitive categories'
 * places rounded to ~100 m; call-button tickets (a care recipient's home) and
 * merged duplicates left out.
 */
export function publicMapRouter(deps: { prisma: PrismaClient }): Router {
  const router = Router();
  router.get('/public/tickets', async (req, res) => {
    const query = parseOr400(publicTicketsQuerySchema, req.query, 'query');
    const since = new Date(Date.now() - query.days * 24 * 3600 * 1000);
    const rows = await deps.prisma.ticket.findMany({
      where: {
        createdAt: { gte: since },
        channel: { not: 'DEVICE' },
        status: { not: 'DUPLICATE' },
        ...(query.categoryCode ? { category: { code: query.categoryCode } } : {}),
      },
      orderBy: { createdAt: 'desc' },
      take: PUBLIC_MAP_LIMIT,
      select: {
        code: true,
        status: true,
        lat: true,
        lng: true,
        createdAt: true,
        category: { select: { code: true, sensitive: true } },
      },
    });
    res.setHeader('cache-control', 'public, max-age=30');
    res.json({ tickets: rows.map(publicTicketOf) });
  });
  return router;
}
