/**
 * The three rates (三率) of DESIGN.md "The closed loop", computed from ticket
 * timelines (the event log), not from the tickets' current columns.
 *
 * Cohort. A report covers the tickets *created* in the period [from, to) and
 * judges them with everything known at `asOf` (events after `asOf` are
 * ignored). A ticket created in March and accepted late in April counts as a
 * late March ticket, so a month's figures settle once its tickets are done.
 *
 * Withdrawn. Tickets cancelled or merged into another (CANCELLED or DUPLICATE
 * at `asOf`, from the events' `toStatus`) are counted in `created` and
 * `withdrawn` and are otherwise not judged: a merged duplicate is not an
 * unanswered request.
 *
 * Deadlines. "On time" means at or before the deadline; a deadline has
 * "passed" when it is strictly before `asOf`. An event's own `onTime` flag
 * (written by the server against the deadline in force at that moment, e.g. an
 * escalated level's accept-by or a resolve-by moved by pending time) wins;
 * without it the event's time is compared with the ticket's accept-by /
 * resolve-by. No deadline means nothing can be late. A ticket PENDING at
 * `asOf` has its resolve clock stopped: its resolve-by is moved on by the time
 * it has been pending, as resuming it will do.
 *
 * 响应率 response rate = accepted on time / due for acceptance.
 *   Due: accepted, or not accepted while its accept-by has passed (or, with no
 *   accept-by left because the escalation chain has ended, after it missed an
 *   accept deadline). Tickets still inside their accept window are not yet due
 *   and are left out. Only the first `ticket.accepted` counts; acceptance at
 *   any escalation level counts, on time against that level's deadline.
 *
 * 解决率 resolution rate = resolved on time and never reopened / due for
 *   resolution. Due: resolved, or its resolve-by has passed. The first
 *   `ticket.resolved` decides "on time"; a `ticket.reopened` after it means
 *   the ticket was not really resolved, whatever happens next.
 *
 * 满意率 satisfaction rate = GOOD / rated, using each ticket's latest rating
 *   (an event whose data is `{ action: 'rated', rating: 'GOOD' | 'BAD' }`).
 *
 * Every rate is `{ rate, numerator, denominator }`, `rate` null when nothing
 * is due. Counts: created, withdrawn, accepted, resolved, reopened, rated, and
 * overdue (resolve-by passed while unresolved at `asOf`: never resolved, or
 * reopened and not resolved again). Averages: minutes from creation to the
 * first acceptance / first resolution, over the tickets that got there,
 * rounded to 0.1 minute.
 */
import { z } from 'zod';
import type { TicketStatus } from './tickets.ts';

/** One event of a ticket's timeline, as the rates need it. */
export interface RateEvent {
  /** A TicketEventType; other types are ignored. */
  type: string;
  at: Date;
  data: Readonly<Record<string, unknown>>;
  toStatus?: TicketStatus | null;
}

/** A ticket and its timeline, oldest event first (event id order). */
export interface TicketHistory {
  ticketId: number;
  createdAt: Date;
  /** The current accept-by / resolve-by columns: the fallback for events without `onTime`. */
  acceptBy: Date | null;
  resolveBy: Date | null;
  events: readonly RateEvent[];
}

export interface RatesPeriod {
  from: Date;
  /** Exclusive. */
  to: Date;
  asOf: Date;
}

export interface Rate {
  rate: number | null;
  numerator: number;
  denominator: number;
}

export interface RateCounts {
  created: number;
  withdrawn: number;
  accepted: number;
  resolved: number;
  reopened: number;
  rated: number;
  overdue: number;
}

export interface RateAverages {
  acceptMinutes: number | null;
  resolveMinutes: number | null;
}

export interface ThreeRates {
  response: Rate;
  resolution: Rate;
  satisfaction: Rate;
  counts: RateCounts;
  averages: RateAverages;
}

/** `GET /api/stats/rates` answer. */
export interface RatesReport extends ThreeRates {
  regionId: number;
  from: string;
  to: string;
  asOf: string;
}

const WITHDRAWN_STATUSES: readonly string[] = ['CANCELLED', 'DUPLICATE'];
const MINUTE_MS = 60_000;

export function rateOf(numerator: number, denominator: number): Rate {
  return { rate: denominator === 0 ? null : numerator / denominator, numerator, denominator };
}

function onTime(event: RateEvent, deadline: Date | null): boolean {
  const flag = event.data.onTime;
  if (typeof flag === 'boolean') return flag;
  return deadline === null || event.at.getTime() <= deadline.getTime();
}

function ratingOf(event: RateEvent): 'GOOD' | 'BAD' | null {
  if (event.data.action !== 'rated') return null;
  const rating = event.data.rating;
  return rating === 'GOOD' || rating === 'BAD' ? rating : null;
}

/** The status at the end of `events` and, when PENDING, since when. */
function statusAt(events: readonly RateEvent[]): {
  status: TicketStatus | null;
  pendingSince: Date | null;
} {
  let status: TicketStatus | null = null;
  let pendingSince: Date | null = null;
  for (const event of events) {
    if (event.toStatus === undefined || event.toStatus === null) continue;
    if (event.toStatus === 'PENDING' && status !== 'PENDING') pendingSince = event.at;
    if (event.toStatus !== 'PENDING') pendingSince = null;
    status = event.toStatus;
  }
  return { status, pendingSince };
}

/**
 * How one ticket of the cohort stands at `asOf`: the facts the rates are summed
 * from. The SQL aggregation in server/src/stats computes the same fields.
 */
export interface TicketJudgement {
  withdrawn: boolean;
  accepted: boolean;
  acceptDue: boolean;
  acceptedOnTime: boolean;
  /** Ms from creation to the first acceptance; null when not accepted. */
  acceptMs: number | null;
  resolved: boolean;
  resolveDue: boolean;
  /** The first resolution was on time (reopening aside). */
  firstResolveOnTime: boolean;
  /** On time and never reopened: counts for the resolution rate. */
  resolvedOnTime: boolean;
  resolveMs: number | null;
  reopened: boolean;
  overdue: boolean;
  rating: 'GOOD' | 'BAD' | null;
}

/**
 * Judges one ticket as of `period.asOf`; null when it was not created in
 * [from, to) or after `asOf` (not part of the cohort).
 */
export function judgeTicket(ticket: TicketHistory, period: RatesPeriod): TicketJudgement | null {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const asOf = period.asOf.getTime();
  const passed = (deadline: Date | null) => deadline !== null && deadline.getTime() < asOf;
  const created = ticket.createdAt.getTime();
  if (created < from || created >= to || created > asOf) return null;

  const judgement: TicketJudgement = {
    withdrawn: false,
    accepted: false,
    acceptDue: false,
    acceptedOnTime: false,
    acceptMs: null,
    resolved: false,
    resolveDue: false,
    firstResolveOnTime: false,
    resolvedOnTime: false,
    resolveMs: null,
    reopened: false,
    overdue: false,
    rating: null,
  };
  const events = ticket.events.filter((event) => event.at.getTime() <= asOf);
  const { status, pendingSince } = statusAt(events);
  if (status !== null && WITHDRAWN_STATUSES.includes(status)) {
    judgement.withdrawn = true;
    return judgement;
  }
  const resolveBy =
    pendingSince === null || ticket.resolveBy === null
      ? ticket.resolveBy
      : new Date(ticket.resolveBy.getTime() + (asOf - pendingSince.getTime()));

  // Response.
  const firstAccept = events.find((event) => event.type === 'ticket.accepted');
  const missedAcceptDeadline = events.some(
    (event) => event.type === 'ticket.escalated' && event.data.reason === 'accept-deadline',
  );
  if (firstAccept) {
    judgement.accepted = true;
    judgement.acceptDue = true;
    judgement.acceptedOnTime = onTime(firstAccept, ticket.acceptBy);
    judgement.acceptMs = firstAccept.at.getTime() - created;
  } else if (ticket.acceptBy === null ? missedAcceptDeadline : passed(ticket.acceptBy)) {
    judgement.acceptDue = true;
  }

  // Resolution.
  const firstResolveIndex = events.findIndex((event) => event.type === 'ticket.resolved');
  const firstResolve = events[firstResolveIndex];
  judgement.reopened = firstResolve
    ? events.slice(firstResolveIndex + 1).some((event) => event.type === 'ticket.reopened')
    : false;
  const lastOutcome = events.findLast(
    (event) => event.type === 'ticket.resolved' || event.type === 'ticket.reopened',
  );
  if (firstResolve) {
    judgement.resolved = true;
    judgement.resolveDue = true;
    judgement.firstResolveOnTime = onTime(firstResolve, resolveBy);
    judgement.resolvedOnTime = !judgement.reopened && judgement.firstResolveOnTime;
    judgement.resolveMs = firstResolve.at.getTime() - created;
  } else if (passed(resolveBy)) {
    judgement.resolveDue = true;
  }
  judgement.overdue = lastOutcome?.type !== 'ticket.resolved' && passed(resolveBy);

  // Satisfaction.
  for (const event of events) judgement.rating = ratingOf(event) ?? judgement.rating;
  return judgement;
}

/** Sums over a cohort's judgements: what both core and SQL aggregate, before dividing. */
export interface RateTotals extends RateCounts {
  acceptDue: number;
  acceptedOnTime: number;
  resolveDue: number;
  resolvedOnTime: number;
  good: number;
  /** Sums of the ms from creation to first acceptance / resolution (over accepted / resolved). */
  acceptMsSum: number;
  resolveMsSum: number;
}

export function emptyRateTotals(): RateTotals {
  return {
    created: 0,
    withdrawn: 0,
    accepted: 0,
    resolved: 0,
    reopened: 0,
    rated: 0,
    overdue: 0,
    acceptDue: 0,
    acceptedOnTime: 0,
    resolveDue: 0,
    resolvedOnTime: 0,
    good: 0,
    acceptMsSum: 0,
    resolveMsSum: 0,
  };
}

/** Adds one judged ticket to `totals` (mutates and returns it). */
export function addJudgement(totals: RateTotals, judgement: TicketJudgement): RateTotals {
  totals.created++;
  if (judgement.withdrawn) {
    totals.withdrawn++;
    return totals;
  }
  if (judgement.accepted) totals.accepted++;
  if (judgement.acceptDue) totals.acceptDue++;
  if (judgement.acceptedOnTime) totals.acceptedOnTime++;
  if (judgement.acceptMs !== null) totals.acceptMsSum += judgement.acceptMs;
  if (judgement.resolved) totals.resolved++;
  if (judgement.resolveDue) totals.resolveDue++;
  if (judgement.resolvedOnTime) totals.resolvedOnTime++;
  if (judgement.resolveMs !== null) totals.resolveMsSum += judgement.resolveMs;
  if (judgement.reopened) totals.reopened++;
  if (judgement.overdue) totals.overdue++;
  if (judgement.rating !== null) {
    totals.rated++;
    if (judgement.rating === 'GOOD') totals.good++;
  }
  return totals;
}

/** Mean of `count` durations summing to `sumMs`, in minutes rounded to 0.1; null for none. */
export function averageMinutesOf(sumMs: number, count: number): number | null {
  if (count === 0) return null;
  return Math.round((sumMs / count / MINUTE_MS) * 10) / 10;
}

/** The three rates, counts and averages from summed totals. */
export function ratesFromTotals(totals: RateTotals): ThreeRates {
  return {
    response: rateOf(totals.acceptedOnTime, totals.acceptDue),
    resolution: rateOf(totals.resolvedOnTime, totals.resolveDue),
    satisfaction: rateOf(totals.good, totals.rated),
    counts: {
      created: totals.created,
      withdrawn: totals.withdrawn,
      accepted: totals.accepted,
      resolved: totals.resolved,
      reopened: totals.reopened,
      rated: totals.rated,
      overdue: totals.overdue,
    },
    averages: {
      acceptMinutes: averageMinutesOf(totals.acceptMsSum, totals.accepted),
      resolveMinutes: averageMinutesOf(totals.resolveMsSum, totals.resolved),
    },
  };
}

/** The three rates, counts and averages of the tickets created in [from, to), as of `asOf`. */
export function computeRates(histories: readonly TicketHistory[], period: RatesPeriod): ThreeRates {
  const totals = emptyRateTotals();
  for (const ticket of histories) {
    const judgement = judgeTicket(ticket, period);
    if (judgement) addJudgement(totals, judgement);
  }
  return ratesFromTotals(totals);
}

export const MAX_RATES_PERIOD_DAYS = 366;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** An ISO-8601 datetime with a zone (Z or ±hh:mm). An unencoded `+` arrives as a space; put it back. */
export const zonedDateTime = z.preprocess(
  (value) =>
    typeof value === 'string' ? value.replace(/^(\S+T\S+) (\d{2}(:?\d{2})?)$/, '$1+$2') : value,
  z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
);

/** Query of `GET /api/stats/rates`. */
export const ratesQuerySchema = z
  .strictObject({
    regionId: z.coerce.number().int().positive().max(2_147_483_647).optional(),
    from: zonedDateTime,
    to: zonedDateTime,
  })
  .superRefine((query, ctx) => {
    // Zod runs this even when a field failed; judge the span only of two dates.
    if (!(query.from instanceof Date) || !(query.to instanceof Date)) return;
    const span = query.to.getTime() - query.from.getTime();
    if (span <= 0) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`' });
    } else if (span > MAX_RATES_PERIOD_DAYS * DAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the period may span at most ${MAX_RATES_PERIOD_DAYS} days`,
      });
    }
  });
export type RatesQuery = z.infer<typeof ratesQuerySchema>;
