import { Router } from 'express';
import { z } from 'zod';
import {
  answeredAttributes,
  OPEN_STATUSES,
  TICKET_ACTIONS,
  TICKET_STATUSES,
  maskPhone,
  ticketIdParamSchema,
  type TicketStatus,
} from '@gridline/core';
import {
  toEventPayload,
  toTicketSummary,
  withCategory,
  type Prisma,
  type PrismaClient,
  type TicketStore,
} from '@gridline/db';
import { HttpError, parseOr400 } from '../http/errors.ts';
import type { CategoryCatalog } from './ports.ts';
import { photoDto } from '../photos/photo-service.ts';
import { requireAuth, requireStaff } from '../auth/middleware.ts';
import { ticketScope } from '../auth/scope.ts';
import type { TicketService } from './ticket-service.ts';
import type { SummonsService } from './summons-service.ts';

const listQuerySchema = z.strictObject({
  status: z
    .string()
    .max(200)
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '' || value === 'open')
        return value === 'open' ? [...OPEN_STATUSES] : undefined;
      const statuses = value.split(',');
      for (const status of statuses) {
        if (!(TICKET_STATUSES as readonly string[]).includes(status)) {
          ctx.addIssue({ code: 'custom', message: `unknown status ${status}` });
          return z.NEVER;
        }
      }
      return statuses as TicketStatus[];
    }),
  regionId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  assigneeId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  categoryCode: z.string().max(64).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  /** Search: part of the ticket code or the address, or 4+ digits of the reporter's phone. */
  q: z.string().trim().min(1).max(64).optional(),
  /** Opaque keyset cursor from the previous page: `<resolveBy ms>_<id>`. */
  cursor: z
    .string()
    .regex(/^\d{1,15}_\d{1,10}$/)
    .refine((cursor) => Number(cursor.split('_')[1]) <= 2_147_483_647, 'not a cursor')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const actionSchema = z.enum(TICKET_ACTIONS);
const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const duplicatesQuerySchema = z.strictObject({
  categoryCode: z.string().min(1).max(64),
  lat: z.coerce.number().min(-90).max(90),
  lng: z.coerce.number().min(-180).max(180),
});

export function ticketsRouter(deps: {
  prisma: PrismaClient;
  store: TicketStore;
  categories: CategoryCatalog;
  tickets: TicketService;
  summons: SummonsService;
}): Router {
  const router = Router();

  router.post('/tickets', async (req, res) => {
    const reply = await deps.tickets.create(req.body, {
      auth: req.auth,
      idempotencyKey: req.get('idempotency-key'),
      requestId: req.requestId,
    });
    res.status(reply.status).json(reply.body);
  });

  router.post('/devices/:deviceId/calls', async (req, res) => {
    const deviceId = parseOr400(deviceIdSchema, req.params.deviceId, 'device id');
    const reply = await deps.tickets.callFromDevice(deviceId, req.get('x-device-key'), req.body);
    res.status(reply.status).json(reply.body);
  });

  router.get('/tickets', async (req, res) => {
    const auth = requireStaff(req.auth);
    const query = parseOr400(listQuerySchema, req.query, 'query');
    const filters: Prisma.TicketWhereInput[] = [ticketScope(auth)];
    if (query.status) filters.push({ status: { in: query.status } });
    if (query.regionId) {
      filters.push({
        OR: [
          { gridId: query.regionId },
          { communityId: query.regionId },
          { streetId: query.regionId },
          { districtId: query.regionId },
        ],
      });
    }
    if (query.assigneeId) filters.push({ assigneeId: query.assigneeId });
    if (query.categoryCode) filters.push({ category: { code: query.categoryCode } });
    if (query.overdue) filters.push({ overdue: query.overdue === 'true' });
    if (query.q) filters.push(searchFilter(query.q));
    if (query.cursor) {
      const [ms, id] = query.cursor.split('_').map(Number) as [number, number];
      const resolveBy = new Date(ms);
      filters.push({ OR: [{ resolveBy: { gt: resolveBy } }, { resolveBy, id: { gt: id } }] });
    }
    // Read the event watermark first: a client replays `/api/events?after=lastEventId`
    // and so misses nothing that changes while this page is read.
    const lastEvent = await deps.prisma.ticketEvent.findFirst({
      orderBy: { id: 'desc' },
      select: { id: true },
    });
    const rows = await deps.prisma.ticket.findMany({
      where: { AND: filters },
      include: withCategory,
      orderBy: [{ resolveBy: 'asc' }, { id: 'asc' }],
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    res.json({
      tickets: page.map(toTicketSummary),
      lastEventId: lastEvent?.id ?? 0,
      nextCursor:
        rows.length > query.limit && last ? `${last.resolveBy?.getTime() ?? 0}_${last.id}` : null,
    });
  });

  // Public: what a new report near this point most likely duplicates (no personal data).
  router.get('/tickets/duplicates', async (req, res) => {
    const query = parseOr400(duplicatesQuerySchema, req.query, 'query');
    const category = await deps.categories.byCode(query.categoryCode);
    if (!category) throw new HttpError('UNPROCESSABLE', `Unknown category "${query.categoryCode}"`);
    const duplicates = await deps.store.findLikelyDuplicates(
      category.id,
      { lat: query.lat, lng: query.lng },
      new Date(),
    );
    res.json({ duplicates });
  });

  router.get('/tickets/:id', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    const ticket = await deps.tickets.visibleTicket(id, auth);
    const events = await deps.prisma.ticketEvent.findMany({
      where: { ticketId: id },
      orderBy: { id: 'asc' },
    });
    const row = await deps.prisma.ticket.findUniqueOrThrow({
      where: { id },
      select: {
        description: true,
        reporterName: true,
        reporterPhone: true,
        attributes: true,
        mediaUrl: true,
      },
    });
    const category = await deps.categories.byCode(ticket.categoryCode);
    // Answers to the category's questions (Open311 attributes), as staff read them.
    const answers = answeredAttributes(category?.attributes ?? [], row.attributes);
    // Those who may call the reporter back see the number; everyone else a masked one.
    const mayCall =
      ticket.assigneeId === auth.user.id ||
      auth.user.role === 'COMMUNITY_STAFF' ||
      auth.user.role === 'DISPATCHER' ||
      auth.user.role === 'ADMIN';
    const reporter = {
      name: row.reporterName,
      phone: row.reporterPhone && (mayCall ? row.reporterPhone : maskPhone(row.reporterPhone)),
    };
    const photos = await deps.prisma.ticketPhoto.findMany({
      where: { ticketId: id },
      orderBy: { id: 'asc' },
    });
    res.json({
      ticket: {
        ...ticket,
        description: row.description,
        reporter,
        photos: photos.map(photoDto),
        answers,
        mediaUrl: row.mediaUrl,
      },
      timeline: events.map((event) => {
        const { ticket: _ticket, ...rest } = toEventPayload(event, ticket);
        return rest;
      }),
    });
  });

  router.get('/tickets/:id/summons', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    res.json({ summons: await deps.summons.list(id, auth) });
  });

  router.post('/tickets/:id/summon', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    res.status(201).json({ summons: await deps.summons.summon(id, auth, req.body) });
  });

  router.post('/tickets/:id/summons/:summonsId/report', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    const summonsId = parseOr400(ticketIdParamSchema, req.params.summonsId, 'summons id');
    res.json({ summons: await deps.summons.report(id, summonsId, auth, req.body) });
  });

  router.post('/tickets/:id/:action', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    const action = parseOr400(actionSchema, req.params.action, 'action');
    res.json({ ticket: await deps.tickets.act(id, action, auth, req.body, req.requestId) });
  });

  return router;
}

/** Tickets whose code or address holds the text, or whose reporter's phone holds its digits. */
function searchFilter(text: string): Prisma.TicketWhereInput {
  const digits = text.replace(/\D/g, '');
  return {
    OR: [
      { code: { contains: text, mode: 'insensitive' } },
      { address: { contains: text, mode: 'insensitive' } },
      ...(digits.length >= 4 && /^[\d\s+()-]+$/.test(text)
        ? [{ reporterPhone: { contains: digits } }]
        : []),
    ],
  };
}
