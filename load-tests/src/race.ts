/**
 * The accept race: tickets awaiting acceptance are inserted with SQL, spread
 * over grids; for each, `clients` HTTP clients, each on its own keep-alive
 * connection and each with its own session of the ticket's assignee (as if
 * on that many devices: only the assignee may accept), POST
 * /api/tickets/:id/accept with the same version at once. Exactly one may get
 * 200, the rest must get 409.
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type pg from 'pg';
import {
  BENCH_ADDRESS,
  BENCH_AGENT,
  createSessionsPerUser,
  deleteSessions,
  deleteTickets,
  insertTickets,
  vacuumChurned,
} from './db.ts';
import type { MemberGrid } from './db.ts';
import { seededRandom } from './lookup-bench.ts';
import { CpuMeter, delay, NamedCpuMeter } from './processes.ts';
import { badRaces, describeStatuses, RaceTally, type RaceOutcome } from './race-stats.ts';
import type { CpuShare, RaceResult } from './report.ts';
import { loopDelayMs, summarize } from './stats.ts';
import { drainTimers, openTimerQueue } from './timers.ts';

export const RACE_ADDRESS = `${BENCH_ADDRESS} race`;
const RACE_AGENT = `${BENCH_AGENT} race`;
const REQUEST_TIMEOUT_MS = 30_000;
const RECONCILER_SETTLE_MS = 2000;
const LOOP_RESOLUTION_MS = 2;
const MAX_SAMPLES = 3;
/** Tickets are created with this much time to accept, so no deadline fires during the run. */
const ACCEPT_WINDOW_MS = 60 * 60_000;
/**
 * Tickets are inserted this many at a time, as the races use them up: the
 * time budget usually ends the race long before BENCH_RACES, and tickets
 * awaiting acceptance are work for every reconciler pass.
 */
const TICKET_BATCH = 500;

export interface RacePhaseOptions {
  pool: pg.Pool;
  port: number;
  sessionSecret: string;
  redisUrl: string;
  redisPrefix: string;
  serverPid: number;
  workersPid: number;
  /** On-duty members and their grids. */
  members: readonly MemberGrid[];
  races: number;
  clients: number;
  /** Races run side by side, each with its own clients. */
  lanes: number;
  /** Grids (one per member) the tickets go round. */
  grids: number;
  /** Races not counted, first, to open the connections. */
  warmup: number;
  /** No race starts after this many seconds of the measured phase. */
  budgetSeconds: number;
  runTag: string;
  log: (message: string) => void;
}

interface RaceTicket {
  id: number;
  assigneeId: number;
}

/** `count` members, one grid each, spread over the city by a seeded shuffle. */
export function pickMemberGrids(members: readonly MemberGrid[], count: number): MemberGrid[] {
  const firstGrid = new Map<number, MemberGrid>();
  for (const member of members)
    if (!firstGrid.has(member.userId)) firstGrid.set(member.userId, member);
  const all = [...firstGrid.values()];
  const random = seededRandom(4099);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, Math.max(0, count));
}

interface Answer {
  status: number;
  body: string;
}

/** One client's accept; resolves with the status (0 without an answer) and never rejects. */
function accept(
  agent: http.Agent,
  port: number,
  ticketId: number,
  cookie: string,
  payload: string,
  onDone: (answer: Answer) => void,
): void {
  let settled = false;
  const done = (answer: Answer) => {
    if (settled) return;
    settled = true;
    onDone(answer);
  };
  const request = http.request(
    {
      agent,
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/tickets/${ticketId}/accept`,
      headers: {
        cookie,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      },
      timeout: REQUEST_TIMEOUT_MS,
    },
    (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', (error) => done({ status: 0, body: error.message }));
    },
  );
  request.on('timeout', () => request.destroy(new Error('request timeout')));
  request.on('error', (error) => done({ status: 0, body: error.message }));
  request.end(payload);
}

/** All clients accept one ticket at once; resolves when every one has an answer. */
function race(
  ticket: RaceTicket,
  agents: readonly http.Agent[],
  tokens: readonly string[],
  port: number,
  onOdd: (answer: Answer) => void,
): Promise<RaceOutcome> {
  return new Promise((resolve) => {
    const statuses: number[] = new Array<number>(agents.length).fill(0);
    let winnerMs: number | null = null;
    let remaining = agents.length;
    const payload = JSON.stringify({ version: 1 });
    const start = process.hrtime.bigint();
    for (let c = 0; c < agents.length; c++) {
      accept(agents[c]!, port, ticket.id, `gl_session=${tokens[c]!}`, payload, (answer) => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        statuses[c] = answer.status;
        if (answer.status === 200 && winnerMs === null) winnerMs = ms;
        if (answer.status !== 200 && answer.status !== 409) onOdd(answer);
        if (--remaining === 0) resolve({ statuses, winnerMs, doneMs: ms });
      });
    }
  });
}

/** Race tickets, inserted in batches as they are needed. */
class TicketSupply {
  readonly range: { minId: number; maxId: number } = { minId: Number.MAX_SAFE_INTEGER, maxId: -1 };
  private readonly ready: RaceTicket[] = [];
  private inserted = 0;
  private batches = 0;
  private refilling: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly gridIds: readonly number[],
    private readonly codePrefix: string,
    private readonly total: number,
  ) {}

  get count(): number {
    return this.inserted;
  }

  /** The next ticket, or null when `total` have been handed out. */
  async next(): Promise<RaceTicket | null> {
    // Lanes share one refill at a time; each refill inserts at least one ticket.
    for (let i = 0; i <= this.total && this.ready.length === 0 && this.inserted < this.total; i++) {
      this.refilling ??= this.refill().finally(() => (this.refilling = null));
      await this.refilling;
    }
    return this.ready.shift() ?? null;
  }

  private async refill(): Promise<void> {
    const count = Math.min(TICKET_BATCH, this.total - this.inserted);
    const batch = await insertTickets(this.pool, {
      count,
      address: RACE_ADDRESS,
      codePrefix: `${this.codePrefix}-${this.batches++}`,
      gridIds: this.gridIds,
      acceptBy: { firstMs: Date.now() + ACCEPT_WINDOW_MS, stepMs: 0 },
    });
    this.inserted += count;
    this.range.minId = Math.min(this.range.minId, batch.minId);
    this.range.maxId = Math.max(this.range.maxId, batch.maxId);
    const { rows } = await this.pool.query<{ id: number; assignee_id: number }>(
      `SELECT id, assignee_id FROM tickets WHERE address = $1 AND id BETWEEN $2 AND $3 ORDER BY id`,
      [RACE_ADDRESS, batch.minId, batch.maxId],
    );
    for (const row of rows) this.ready.push({ id: row.id, assigneeId: row.assignee_id });
  }
}

export class RacePhase {
  private supply: TicketSupply | null = null;
  private readonly agents: http.Agent[][] = [];
  private cleaning: Promise<string[]> | null = null;

  constructor(private readonly options: RacePhaseOptions) {}

  async run(): Promise<{ result: RaceResult; notes: string[] }> {
    const { pool, log } = this.options;
    const notes: string[] = [];
    const clients = this.options.clients;
    const lanes = Math.max(1, this.options.lanes);
    const chosen = pickMemberGrids(this.options.members, this.options.grids);
    if (chosen.length === 0) throw new Error('no on-duty grid member for the accept race');
    const total = this.options.warmup + this.options.races;

    const setupStarted = performance.now();
    const supply = new TicketSupply(
      pool,
      chosen.map((member) => member.gridId),
      `GLB-${this.options.runTag}-r`,
      total,
    );
    this.supply = supply;
    const sessions = await createSessionsPerUser(
      pool,
      this.options.sessionSecret,
      chosen.map((member) => member.userId),
      clients,
      RACE_AGENT,
    );
    let unusable = 0;
    for (let lane = 0; lane < lanes; lane++) {
      this.agents.push(
        Array.from({ length: clients }, () => new http.Agent({ keepAlive: true, maxSockets: 1 })),
      );
    }
    log(
      `  ${chosen.length} grids, ${sessions.size * clients} sessions ` +
        `in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s; tickets ${TICKET_BATCH} at a time`,
    );

    const oddSamples: string[] = [];
    const onOdd = (answer: Answer) => {
      if (oddSamples.length < MAX_SAMPLES)
        oddSamples.push(`${answer.status}: ${answer.body.slice(0, 160)}`);
    };
    const warm = new RaceTally();
    const tally = new RaceTally();
    let handedOut = 0;
    const runLane = async (lane: number, limit: number, counted: RaceTally, deadline: number) => {
      for (let round = 0; round < total && performance.now() < deadline; round++) {
        if (handedOut >= limit) return;
        handedOut++;
        const ticket = await supply.next();
        if (!ticket) return;
        const tokens = sessions.get(ticket.assigneeId);
        if (!tokens) {
          unusable++;
          continue;
        }
        counted.add(await race(ticket, this.agents[lane]!, tokens, this.options.port, onOdd));
      }
    };

    await Promise.all(
      Array.from({ length: lanes }, (_, lane) =>
        runLane(lane, this.options.warmup, warm, performance.now() + 60_000),
      ),
    );
    await delay(500);

    log(
      `  racing: up to ${this.options.races} races of ${clients} accepts, ${lanes} at a time, ` +
        `for at most ${this.options.budgetSeconds} s…`,
    );
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loopDelay.enable();
    const meter = new CpuMeter([this.options.serverPid, this.options.workersPid, process.pid]);
    const postgresMeter = new NamedCpuMeter(['postgres']);
    const redisMeter = new NamedCpuMeter(['redis-server']);
    const transactionsBefore = await databaseTransactions(pool);
    const started = performance.now();
    const deadline = started + this.options.budgetSeconds * 1000;
    const progress = setInterval(() => {
      const sofar = tally.result();
      log(`    ${sofar.races} races, ${sofar.oneWinner} with one winner`);
    }, 15_000);
    await Promise.all(
      Array.from({ length: lanes }, (_, lane) => runLane(lane, total, tally, deadline)),
    ).finally(() => clearInterval(progress));
    const elapsedSeconds = (performance.now() - started) / 1000;
    const cpu: CpuShare[] = [
      { name: 'server', percent: meter.percent(this.options.serverPid) },
      { name: 'workers', percent: meter.percent(this.options.workersPid) },
      { name: 'postgres', percent: postgresMeter.percent() },
      { name: 'redis', percent: redisMeter.percent() },
      { name: 'driver', percent: meter.percent(process.pid) },
    ];
    loopDelay.disable();
    const counted = tally.result();
    const warmed = warm.result();
    // PostgreSQL publishes a backend's counters within a second of its last transaction.
    await delay(1500);
    const transactionsAfter = await databaseTransactions(pool);

    // What the database says: one accepted event per raced ticket, and no more.
    const check = await pool.query<{ accepted: number; double_accepted: number }>(
      `SELECT
         (SELECT count(*)::int FROM tickets
           WHERE address = $1 AND id BETWEEN $2 AND $3 AND status = 'ACCEPTED') AS accepted,
         (SELECT count(*)::int FROM (
            SELECT e.ticket_id FROM ticket_events e
              JOIN tickets t ON t.id = e.ticket_id AND t.address = $1
             WHERE e.ticket_id BETWEEN $2 AND $3 AND e.type = 'ticket.accepted'
             GROUP BY e.ticket_id HAVING count(*) > 1) twice) AS double_accepted`,
      [RACE_ADDRESS, supply.range.minId, supply.range.maxId],
    );
    if (unusable > 0) notes.push(`race: ${unusable} tickets had no session of their assignee`);
    const expectedAccepted =
      counted.oneWinner + counted.manyWinners + warmed.oneWinner + warmed.manyWinners;
    if (oddSamples.length > 0)
      notes.push(`race: answers other than 200/409, e.g. ${oddSamples.join(' | ')}`);
    if (badRaces(warmed) > 0)
      notes.push(
        `race: ${badRaces(warmed)} of the ${warmed.races} warm-up races had other than one winner`,
      );
    const driver = cpu.find((share) => share.name === 'driver')?.percent ?? null;
    if (driver !== null && driver > 70)
      notes.push(
        `race: the driver used ${driver.toFixed(0)}% of a core (> 70%): its timings are suspect`,
      );

    const result: RaceResult = {
      planned: this.options.races,
      races: counted.races,
      clients,
      lanes,
      grids: chosen.length,
      warmup: warmed.races,
      budgetSeconds: this.options.budgetSeconds,
      elapsedSeconds,
      oneWinner: counted.oneWinner,
      noWinner: counted.noWinner,
      manyWinners: counted.manyWinners,
      conflicts: counted.conflicts,
      otherLosers: counted.otherLosers,
      otherStatuses: describeStatuses(counted.otherStatuses),
      claim: summarize(counted.claimMs),
      race: summarize(counted.raceMs),
      acceptsPerSecond: elapsedSeconds > 0 ? counted.oneWinner / elapsedSeconds : 0,
      requestsPerSecond: elapsedSeconds > 0 ? counted.requests / elapsedSeconds : 0,
      dbTransactionsPerRequest:
        transactionsBefore !== null && transactionsAfter !== null && counted.requests > 0
          ? (transactionsAfter - transactionsBefore) / counted.requests
          : null,
      dbAccepted: check.rows[0]?.accepted ?? null,
      dbDoubleAccepted: check.rows[0]?.double_accepted ?? null,
      expectedAccepted,
      cpu,
      driverLoopDelayP99Ms:
        loopDelay.count > 0 ? loopDelayMs(loopDelay.percentile(99), LOOP_RESOLUTION_MS) : null,
    };
    return { result, notes };
  }

  /** Closes the clients, deletes the tickets, events and sessions, drains the timer queue. */
  cleanup(): Promise<string[]> {
    this.cleaning ??= (async () => {
      const notes: string[] = [];
      for (const lane of this.agents.splice(0)) for (const agent of lane) agent.destroy();
      const sessions = await deleteSessions(this.options.pool, RACE_AGENT);
      let deleted = 0;
      const range = this.supply?.range;
      this.supply = null;
      if (range && range.maxId >= range.minId) {
        const outcome = await deleteTickets(
          this.options.pool,
          RACE_ADDRESS,
          range.minId,
          range.maxId,
        );
        deleted = outcome.tickets;
        if (outcome.closed > 0)
          notes.push(`race: could not delete the tickets; closed ${outcome.closed} instead`);
      }
      const vacuumStarted = performance.now();
      if (deleted > 0) await vacuumChurned(this.options.pool);
      await delay(Math.max(0, RECONCILER_SETTLE_MS - (performance.now() - vacuumStarted)));
      const timerQueue = openTimerQueue(this.options.redisUrl, this.options.redisPrefix);
      try {
        const drained = await drainTimers(timerQueue.queue);
        this.options.log(
          `  race cleaned up: ${deleted} tickets, ${sessions} sessions deleted, ${drained} jobs drained`,
        );
      } finally {
        await timerQueue.close();
      }
      return notes;
    })();
    return this.cleaning;
  }
}

/** Transactions (each autocommit statement is one) the database has finished so far, from pg_stat_database. */
async function databaseTransactions(pool: pg.Pool): Promise<number | null> {
  try {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = current_database()`,
    );
    const value = Number(rows[0]?.n);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
