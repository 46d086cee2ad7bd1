import { z } from 'zod';
import type { TicketEventType } from './events.ts';
import type { Role } from './users.ts';
import type { TicketStatus } from './tickets.ts';

/**
 * The ticket state machine: which action moves a ticket from which states to
 * which, who may take it, and the event it leaves. Used by the server to
 * decide and by the web app to offer only the actions that can succeed.
 */
export const TICKET_ACTIONS = [
  'accept',
  'start',
  'pend',
  'resume',
  'resolve',
  'verify',
  'close',
  'reopen',
  'rate',
  'assign',
  'transfer',
  'escalate',
  'cancel',
  'merge',
  'unmerge',
] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/**
 * Who acts, relative to the ticket:
 * - assignee: the user the ticket is assigned to;
 * - supervisor: community staff or dispatcher whose region contains the ticket, or an admin;
 * - dispatcher: a dispatcher whose region contains the ticket, or an admin;
 * - reporter: the resident who reported it (signed in, or holding its tracking token).
 */
export type ActorRelation = 'assignee' | 'supervisor' | 'dispatcher' | 'reporter';

export interface TransitionRule {
  from: readonly TicketStatus[];
  /** null: the status does not change. */
  to: TicketStatus | null;
  who: readonly ActorRelation[];
  event: TicketEventType;
}

const OPEN: readonly TicketStatus[] = [
  'NEW',
  'ASSIGNED',
  'ACCEPTED',
  'IN_PROGRESS',
  'PENDING',
  'REOPENED',
];
const DONE: readonly TicketStatus[] = ['RESOLVED', 'VERIFIED', 'CLOSED'];

export const TRANSITIONS: Readonly<Record<TicketAction, TransitionRule>> = {
  accept: {
    from: ['NEW', 'ASSIGNED', 'REOPENED'],
    to: 'ACCEPTED',
    who: ['assignee'],
    event: 'ticket.accepted',
  },
  start: { from: ['ACCEPTED'], to: 'IN_PROGRESS', who: ['assignee'], event: 'ticket.updated' },
  pend: {
    from: ['ACCEPTED', 'IN_PROGRESS'],
    to: 'PENDING',
    who: ['assignee'],
    event: 'ticket.updated',
  },
  resume: { from: ['PENDING'], to: 'IN_PROGRESS', who: ['assignee'], event: 'ticket.updated' },
  resolve: {
    from: ['ACCEPTED', 'IN_PROGRESS'],
    to: 'RESOLVED',
    who: ['assignee'],
    event: 'ticket.resolved',
  },
  verify: { from: ['RESOLVED'], to: 'VERIFIED', who: ['supervisor'], event: 'ticket.updated' },
  close: {
    from: ['RESOLVED', 'VERIFIED'],
    to: 'CLOSED',
    who: ['supervisor'],
    event: 'ticket.closed',
  },
  reopen: { from: DONE, to: 'REOPENED', who: ['reporter', 'supervisor'], event: 'ticket.reopened' },
  rate: { from: DONE, to: null, who: ['reporter'], event: 'ticket.updated' },
  assign: { from: OPEN, to: 'ASSIGNED', who: ['supervisor'], event: 'ticket.assigned' },
  transfer: { from: OPEN, to: 'ASSIGNED', who: ['dispatcher'], event: 'ticket.assigned' },
  escalate: { from: OPEN, to: null, who: ['supervisor'], event: 'ticket.escalated' },
  cancel: { from: OPEN, to: 'CANCELLED', who: ['dispatcher'], event: 'ticket.closed' },
  merge: { from: OPEN, to: 'DUPLICATE', who: ['supervisor'], event: 'ticket.closed' },
  unmerge: { from: ['DUPLICATE'], to: null, who: ['supervisor'], event: 'ticket.reopened' },
};

/** A reporter may reopen within this many days of resolution. */
export const REOPEN_WINDOW_DAYS = 7;
/** Unrated resolved tickets close by themselves after this many days (divided by TIME_SCALE). */
export const RATING_WINDOW_DAYS = 3;

export function canTransition(action: TicketAction, from: TicketStatus): boolean {
  return TRANSITIONS[action].from.includes(from);
}

/** The relations a user has to a ticket, from their role and whether the ticket is in their scope. */
export function relationsOf(input: {
  role: Role;
  isAssignee: boolean;
  inScope: boolean;
  isReporter: boolean;
}): Set<ActorRelation> {
  const relations = new Set<ActorRelation>();
  if (input.isAssignee) relations.add('assignee');
  if (input.isReporter) relations.add('reporter');
  if (
    input.inScope &&
    (input.role === 'COMMUNITY_STAFF' || input.role === 'DISPATCHER' || input.role === 'ADMIN')
  ) {
    relations.add('supervisor');
  }
  if (input.inScope && (input.role === 'DISPATCHER' || input.role === 'ADMIN'))
    relations.add('dispatcher');
  return relations;
}

export function mayAct(action: TicketAction, relations: ReadonlySet<ActorRelation>): boolean {
  return TRANSITIONS[action].who.some((who) => relations.has(who));
}

/** The actions the state machine and the user's relations allow right now. */
export function allowedActions(
  status: TicketStatus,
  relations: ReadonlySet<ActorRelation>,
): TicketAction[] {
  return TICKET_ACTIONS.filter(
    (action) => canTransition(action, status) && mayAct(action, relations),
  );
}

const version = z.number().int().positive().optional();
const note = z.string().trim().min(1).max(2000);

/** Request bodies of the action routes. `version` makes the action conditional on what the client saw. */
export const actionBodySchemas = {
  accept: z.strictObject({ version }),
  start: z.strictObject({ version }),
  pend: z.strictObject({ version, reason: note }),
  resume: z.strictObject({ version }),
  resolve: z.strictObject({ version, note }),
  verify: z.strictObject({ version, note: note.optional() }),
  close: z.strictObject({ version, note: note.optional() }),
  reopen: z.strictObject({ version, reason: note }),
  rate: z.strictObject({
    version,
    rating: z.enum(['GOOD', 'BAD']),
    comment: z.string().trim().max(500).optional(),
  }),
  assign: z.strictObject({
    version,
    assigneeId: z.number().int().positive().max(2_147_483_647),
    note: note.optional(),
  }),
  transfer: z.strictObject({
    version,
    gridId: z.number().int().positive().max(2_147_483_647),
    reason: note,
  }),
  escalate: z.strictObject({ version, reason: note.optional() }),
  cancel: z.strictObject({ version, reason: note }),
  merge: z.strictObject({ version, intoId: z.number().int().positive().max(2_147_483_647) }),
  unmerge: z.strictObject({ version, reason: note.optional() }),
} satisfies Record<TicketAction, z.ZodType>;

export type ActionBody<A extends TicketAction> = z.infer<(typeof actionBodySchemas)[A]>;

/** 吹哨报到: a street or district dispatcher summons departments to a ticket. */
export const summonSchema = z.strictObject({
  departments: z
    .array(z.string().trim().min(1).max(60))
    .min(1)
    .max(10)
    .refine((list) => new Set(list).size === list.length, 'departments must be distinct'),
  /** Each department must report within this many minutes (divided by TIME_SCALE). */
  reportMinutes: z.number().int().min(5).max(10_080).default(60),
});

export const summonsReportSchema = z.strictObject({ note: z.string().trim().min(1).max(2000) });

/** Summons escalate street -> district -> city; past the city they stay overdue. */
export const MAX_SUMMONS_LEVEL = 2;
