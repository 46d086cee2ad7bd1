/** The benchmark's figures and how they are printed and recorded. Pure. */
import { PARTS, type Part } from './parts.ts';
import type { Summary } from './stats.ts';
import type { PageWeight } from './page-weight.ts';
import type { FrameResult } from './frames.ts';
import type { NearestResult } from './nearest-bench.ts';
import type { OffersResult } from './offers.ts';

/** DESIGN.md "Targets", the timer goal of the timer lateness benchmark, issue 4's page budget. */
export const GOALS = {
  intakeP99Ms: 20,
  floorRatio: 2,
  lookupP99Us: 20,
  idleSocketKb: 25,
  timerLatenessP99Ms: 50,
  pageInitialJsKb: 300,
  nearestP99Ms: 5,
} as const;

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
  postgres: string | null;
  synchronousCommit: string | null;
  autovacuum: string | null;
  redis: string | null;
  /** Redis's `hz` (CONFIG GET hz): how often it runs its timers; null when CONFIG is not allowed. */
  redisHz: number | null;
}

export interface BenchSettings {
  sockets: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  swarmProcesses: number;
  /** The sockets connect evenly over this long, so their heartbeats are spread like a real population's. */
  connectSpreadSeconds: number;
}

export interface FloorResult {
  /** Bare INSERT + commit through pg, ms. */
  insert: Summary | null;
  /** Bare Socket.IO emit -> room broadcast -> receipt, ms. */
  roundTrip: Summary | null;
}

export interface CpuShare {
  name: string;
  /** Percent of one core over the measured intake window. */
  percent: number | null;
}

export interface IntakeResult {
  /** ms from sending the POST to the assignee's socket receiving `ticket.assigned`. */
  latency: Summary | null;
  /** HTTP round trip of the POST itself, ms. */
  http: Summary | null;
  planned: number;
  sent: number;
  created: number;
  httpErrors: number;
  missing: number;
  wrongAssignee: number;
  /** How many `ticket.assigned` events reached any socket in the measured window. */
  deliveries: number;
  achievedRate: number;
  /** How late the driver sent behind the open-model schedule, ms. */
  sendLagP99Ms: number | null;
  cpu: CpuShare[];
  /** Event-loop delay p99 in the processes that take receipt times, ms. */
  swarmLoopDelayP99Ms: number | null;
  driverLoopDelayP99Ms: number | null;
  socketsDropped: number;
  /** The floor taken again during the measured window, under this load; null when not taken. */
  floorUnderLoad: FloorResult | null;
}

export interface LookupResult {
  name: string;
  grids: number;
  lookups: number;
  batchSize: number;
  /** Per-lookup time in ns (mean of each batch). */
  perLookupNs: Summary | null;
  /** Lookups that found a grid. */
  hits: number;
}

export interface MemoryResult {
  sockets: number;
  connected: number;
  failed: number;
  connectSeconds: number;
  rssBeforeBytes: number | null;
  rssAfterBytes: number | null;
}

export interface TimerResult {
  /** Pending accept deadlines, the sample included. */
  total: number;
  /** Deadlines due during the window, the ones measured. */
  sample: number;
  /** Deadlines due just before the window, not measured. */
  warmup: number;
  windowSeconds: number;
  inserted: number;
  scheduled: number;
  insertSeconds: number;
  scheduleSeconds: number;
  /** Delayed jobs in the queue just before the window. */
  pendingAtStart: number;
  /** ms from each sample deadline to its `ticket.escalated` event's created_at. */
  lateness: Summary | null;
  /** Sample firings more than 50 ms late. */
  overGoal: number;
  /** Sample firings before their deadline. */
  early: number;
  /** Sample deadlines without an escalation by the end of the grace period. */
  missing: number;
  /** The workers' `gridline_timer_lateness_seconds{kind="accept-deadline"}` over the window. */
  metricCount: number | null;
  /** Upper bound of its p99 (a bucket bound), seconds. */
  metricP99BoundSeconds: number | null;
  /** Its share of jobs started within 50 ms (0..1). */
  metricShareWithin50ms: number | null;
  redisHz: number | null;
  /**
   * Seconds of the window (from its start) in which Redis ran more than
   * BUSY_SCRIPTS_PER_SECOND scripts: a reconciler pass re-adding every pending deadline.
   */
  busySpans: Array<[fromSecond: number, toSecond: number]>;
  /** Lateness of the sample deadlines due within those spans, and of the rest. */
  latenessInBusy: Summary | null;
  latenessOutsideBusy: Summary | null;
  /** Largest share of a 0.5 s interval Redis spent running scripts. */
  redisScriptBusyMaxShare: number | null;
  cpu: CpuShare[];
  /** The workers' event-loop lag p99 (prom-client) at the end, ms. */
  workersLoopLagP99Ms: number | null;
}

export interface RaceResult {
  /** BENCH_RACES. */
  planned: number;
  /** Races run in the measured phase (fewer than planned when the time budget ran out). */
  races: number;
  clients: number;
  lanes: number;
  grids: number;
  warmup: number;
  budgetSeconds: number;
  elapsedSeconds: number;
  oneWinner: number;
  noWinner: number;
  manyWinners: number;
  /** 409 answers. */
  conflicts: number;
  /** Answers other than 200 and 409 (none at all included). */
  otherLosers: number;
  /** e.g. "403 x2, no answer x1". */
  otherStatuses: string;
  /** ms from the race's start to the winner's 200. */
  claim: Summary | null;
  /** ms from the race's start to the last answer. */
  race: Summary | null;
  acceptsPerSecond: number;
  requestsPerSecond: number;
  /** Database transactions (autocommit statements count one each) per accept request, from pg_stat_database. */
  dbTransactionsPerRequest: number | null;
  /** Raced tickets (warm-up included) the database holds as ACCEPTED. */
  dbAccepted: number | null;
  /** Raced tickets with more than one `ticket.accepted` event. */
  dbDoubleAccepted: number | null;
  /** Races (warm-up included) that had a winner. */
  expectedAccepted: number;
  cpu: CpuShare[];
  driverLoopDelayP99Ms: number | null;
}

export interface BenchResult {
  startedAt: Date;
  durationSeconds: number;
  machine: MachineInfo;
  /** The parts that were to run (BENCH_ONLY); sections of the others are left out. */
  parts: Part[];
  settings: BenchSettings;
  floor: FloorResult;
  intake: IntakeResult | null;
  lookups: LookupResult[];
  memory: MemoryResult | null;
  timers: TimerResult | null;
  race: RaceResult | null;
  /** Initial JavaScript per web page; empty when the part did not run. */
  pages?: PageWeight[];
  frames?: FrameResult | null;
  /** Nearest qualified volunteers among many (Redis GEO); absent when the part did not run. */
  nearest?: NearestResult | null;
  /** Volunteer offers: push latency and accepts under contention. */
  offers?: OffersResult | null;
  notes: string[];
}

export function floorOf(floor: FloorResult): { p50: number; p99: number } | null {
  if (!floor.insert || !floor.roundTrip) return null;
  return {
    p50: floor.insert.p50 + floor.roundTrip.p50,
    p99: floor.insert.p99 + floor.roundTrip.p99,
  };
}

export function bytesPerSocket(memory: MemoryResult | null): number | null {
  if (
    !memory ||
    memory.rssBeforeBytes === null ||
    memory.rssAfterBytes === null ||
    memory.connected <= 0
  )
    return null;
  return (memory.rssAfterBytes - memory.rssBeforeBytes) / memory.connected;
}

export function formatMs(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${value.toFixed(digits)} ms`;
}

export function formatUs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return 'n/a';
  return `${(ns / 1000).toFixed(2)} µs`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'n/a';
  if (Math.abs(bytes) >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (Math.abs(bytes) >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export function formatRatio(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)}x`;
}

/** 'meets' / 'misses' / 'n/a': the figure against its goal (lower is better). */
export function verdict(value: number | null | undefined, goal: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value <= goal ? 'meets' : 'misses';
}

export function formatPercent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return 'n/a';
  return `${(share * 100).toFixed(digits)}%`;
}

function formatCpu(cpu: readonly CpuShare[]): string {
  return cpu
    .map((share) => `${share.name} ${share.percent === null ? 'n/a' : share.percent.toFixed(0)}`)
    .join(', ');
}

function zeroVerdict(count: number | null): string {
  if (count === null) return 'n/a';
  return count === 0 ? 'meets' : 'misses';
}

type Row = [metric: string, value: string, goal: string, status: string];

function timerRows(timers: TimerResult): Row[] {
  const lat = timers.lateness;
  const bound = timers.metricP99BoundSeconds;
  return [
    ['lateness p50', formatMs(lat?.p50, 1), '', `n=${lat?.count ?? 0}`],
    [
      'lateness p99',
      formatMs(lat?.p99, 1),
      `<= ${GOALS.timerLatenessP99Ms} ms`,
      verdict(lat?.p99, GOALS.timerLatenessP99Ms),
    ],
    ['lateness max', formatMs(lat?.max, 1), '', ''],
    [
      `late > ${GOALS.timerLatenessP99Ms} ms / early / missing`,
      `${timers.overGoal} / ${timers.early} / ${timers.missing}`,
      '',
      timers.missing === 0 ? '' : 'missing: not escalated in time',
    ],
    [
      'delayed jobs pending at the start',
      String(timers.pendingAtStart),
      `>= ${timers.total - timers.warmup}`,
      timers.pendingAtStart >= timers.total - timers.warmup ? 'meets' : 'misses',
    ],
    [
      'Redis busy with scripts (reconciler pass)',
      timers.busySpans.length === 0
        ? 'none'
        : timers.busySpans
            .map(([from, to]) => `+${from.toFixed(1)}..+${to.toFixed(1)} s`)
            .join(', '),
      '',
      `peak ${formatPercent(timers.redisScriptBusyMaxShare, 0)} of Redis's time`,
    ],
    [
      'lateness p99: due then / otherwise',
      `${formatMs(timers.latenessInBusy?.p99, 1)} / ${formatMs(timers.latenessOutsideBusy?.p99, 1)}`,
      '',
      `n=${timers.latenessInBusy?.count ?? 0} / ${timers.latenessOutsideBusy?.count ?? 0}`,
    ],
    [
      "workers' histogram: <= 50 ms / p99 bound",
      `${formatPercent(timers.metricShareWithin50ms)} / ${
        bound === null ? 'n/a' : Number.isFinite(bound) ? `<= ${bound * 1000} ms` : '> 30 s'
      }`,
      '',
      `n=${timers.metricCount ?? 'n/a'}`,
    ],
    [
      'setup: insert / schedule (addBulk)',
      `${timers.insertSeconds.toFixed(1)} s / ${timers.scheduleSeconds.toFixed(1)} s`,
      '',
      timers.scheduleSeconds >= 0.05
        ? `${timers.inserted} rows, ${(timers.scheduled / timers.scheduleSeconds).toFixed(0)} jobs/s`
        : `${timers.inserted} rows`,
    ],
    ['Redis hz', timers.redisHz === null ? 'n/a' : String(timers.redisHz), '', ''],
    ['CPU (% of one core)', formatCpu(timers.cpu), '', ''],
    ['workers event-loop lag p99 (prom-client)', formatMs(timers.workersLoopLagP99Ms, 1), '', ''],
  ];
}

function raceRows(race: RaceResult): Row[] {
  const bad = race.noWinner + race.manyWinners;
  const dbOk =
    race.dbAccepted === null || race.dbDoubleAccepted === null
      ? null
      : race.dbDoubleAccepted + Math.abs(race.dbAccepted - race.expectedAccepted);
  return [
    [
      'races run',
      `${race.races} of ${race.planned} planned`,
      '',
      race.races < race.planned
        ? `stopped at the ${race.budgetSeconds} s budget`
        : `in ${race.elapsedSeconds.toFixed(1)} s`,
    ],
    ['races with other than one 200', String(bad), '0', zeroVerdict(bad)],
    ['  of which: no 200 / several 200s', `${race.noWinner} / ${race.manyWinners}`, '', ''],
    [
      'losers: 409 / other',
      `${race.conflicts} / ${race.otherLosers}`,
      'other 0',
      zeroVerdict(race.otherLosers),
    ],
    ...(race.otherLosers > 0 ? [['  other answers', race.otherStatuses, '', ''] as Row] : []),
    [
      "claim latency (to the winner's 200) p50 / p99",
      `${formatMs(race.claim?.p50)} / ${formatMs(race.claim?.p99)}`,
      '',
      `max ${formatMs(race.claim?.max)}`,
    ],
    [
      `all ${race.clients} answered p50 / p99`,
      `${formatMs(race.race?.p50)} / ${formatMs(race.race?.p99)}`,
      '',
      '',
    ],
    [
      'accepts/s / requests/s',
      `${race.acceptsPerSecond.toFixed(1)} / ${race.requestsPerSecond.toFixed(0)}`,
      '',
      '',
    ],
    [
      'database: ACCEPTED / tickets accepted twice',
      `${race.dbAccepted ?? 'n/a'} of ${race.expectedAccepted} / ${race.dbDoubleAccepted ?? 'n/a'}`,
      'equal / 0',
      zeroVerdict(dbOk),
    ],
    [
      'database transactions per request',
      race.dbTransactionsPerRequest === null ? 'n/a' : race.dbTransactionsPerRequest.toFixed(1),
      '',
      'pg_stat_database, whole database',
    ],
    ['CPU (% of one core)', formatCpu(race.cpu), 'driver < 70', ''],
    ['driver event-loop delay p99', formatMs(race.driverLoopDelayP99Ms), '', ''],
  ];
}

function offerRows(offers: OffersResult): Row[] {
  const missing = Math.max(0, offers.offersExpected - offers.offersReceived);
  const wrong = offers.violations + Math.abs(offers.winners - offers.slots);
  return [
    [
      'offer push p50 / p99 (from sending the POST)',
      `${formatMs(offers.pushMs?.p50)} / ${formatMs(offers.pushMs?.p99)}`,
      '',
      `max ${formatMs(offers.pushMs?.max)}; ${offers.pushTasks} tasks of ${offers.offerBatch} offers`,
    ],
    [
      'offer push from the 201 p50 / p99',
      `${formatMs(offers.pushAfterAnswerMs?.p50)} / ${formatMs(offers.pushAfterAnswerMs?.p99)}`,
      '',
      `${offers.offersBeforeAnswer} of ${offers.offersReceived} before the 201 (negative)`,
    ],
    [
      'offers pushed / missing',
      `${offers.offersReceived} / ${missing}`,
      'missing 0',
      zeroVerdict(missing),
    ],
    [
      'accepts per second under contention',
      offers.acceptsPerSecond === null ? 'n/a' : offers.acceptsPerSecond.toFixed(0),
      '',
      `every answer / wall time; ${offers.races} tasks, ${offers.racers} volunteers each`,
    ],
    [
      'accept p50 / p99',
      `${formatMs(offers.acceptMs?.p50)} / ${formatMs(offers.acceptMs?.p99)}`,
      '',
      `n=${offers.acceptRequests}`,
    ],
    [
      'winners / slots; races with a wrong winner count',
      `${offers.winners} / ${offers.slots}; ${offers.violations}`,
      '0',
      zeroVerdict(wrong),
    ],
    ...(offers.otherStatuses
      ? [['  answers other than 200 and 409', offers.otherStatuses, '', ''] as Row]
      : []),
    ...(offers.shortRaces > 0
      ? [
          [
            `  races with fewer than ${offers.racers} offers`,
            String(offers.shortRaces),
            '',
            'raced with those offered',
          ] as Row,
        ]
      : []),
  ];
}

/**
 * The floor taken during the intake, beside the ticket's latency: how much of the
 * tail the machine gives any two bare hops under this load. No goal: the goal's
 * ratio is against the floor at rest (the row above).
 */
function floorUnderLoadRows(lat: Summary | null, loaded: FloorResult | null): Row[] {
  if (!loaded) return [];
  const sum = floorOf(loaded);
  return [
    [
      'floor under this load: INSERT / round trip p99',
      `${formatMs(loaded.insert?.p99, 2)} / ${formatMs(loaded.roundTrip?.p99, 2)}`,
      '',
      `n=${loaded.insert?.count ?? 0} / ${loaded.roundTrip?.count ?? 0}, taken during the intake`,
    ],
    [
      'floor under this load p50 / p99 (sum)',
      `${formatMs(sum?.p50, 2)} / ${formatMs(sum?.p99, 2)}`,
      '',
      '',
    ],
    [
      'p99 / floor under this load p99',
      formatRatio(lat && sum && sum.p99 > 0 ? lat.p99 / sum.p99 : null),
      '',
      'for comparison, no goal',
    ],
  ];
}

/** The report's rows, grouped by section; text and markdown render the same rows. */
export function reportRows(result: BenchResult): Array<{ title: string; rows: Row[] }> {
  const sections: Array<{ title: string; rows: Row[] }> = [];
  const { floor, intake, memory, timers, race } = result;
  const floorP = floorOf(floor);
  const ran = new Set<Part>(result.parts);

  if (ran.has('floor')) {
    sections.push({
      title: 'Floor (same run)',
      rows: [
        [
          'INSERT commit p50 / p99',
          `${formatMs(floor.insert?.p50, 3)} / ${formatMs(floor.insert?.p99, 3)}`,
          '',
          `n=${floor.insert?.count ?? 0}`,
        ],
        [
          'Socket.IO round trip p50 / p99',
          `${formatMs(floor.roundTrip?.p50, 3)} / ${formatMs(floor.roundTrip?.p99, 3)}`,
          '',
          `n=${floor.roundTrip?.count ?? 0}`,
        ],
        [
          'floor p50 / p99 (sum)',
          `${formatMs(floorP?.p50, 3)} / ${formatMs(floorP?.p99, 3)}`,
          '',
          '',
        ],
      ],
    });
  }

  if (intake && ran.has('intake')) {
    const lat = intake.latency;
    const floorRatio = lat && floorP && floorP.p99 > 0 ? lat.p99 / floorP.p99 : null;
    sections.push({
      title: `Intake -> grid member's socket (${result.settings.rate}/s for ${result.settings.seconds} s, ${result.settings.sockets} sockets)`,
      rows: [
        ['latency p50', formatMs(lat?.p50), '', ''],
        ['latency p95', formatMs(lat?.p95), '', ''],
        [
          'latency p99',
          formatMs(lat?.p99),
          `<= ${GOALS.intakeP99Ms} ms`,
          verdict(lat?.p99, GOALS.intakeP99Ms),
        ],
        ['latency max', formatMs(lat?.max), '', ''],
        [
          'p99 / floor p99',
          formatRatio(floorRatio),
          `<= ${GOALS.floorRatio}x`,
          verdict(floorRatio, GOALS.floorRatio),
        ],
        ...floorUnderLoadRows(lat, intake.floorUnderLoad),
        [
          'POST round trip p50 / p99',
          `${formatMs(intake.http?.p50)} / ${formatMs(intake.http?.p99)}`,
          '',
          '',
        ],
        ['tickets measured', `${lat?.count ?? 0} of ${intake.planned} planned`, '', ''],
        [
          'sent / created',
          `${intake.sent} / ${intake.created}`,
          '',
          `${intake.achievedRate.toFixed(1)}/s achieved`,
        ],
        [
          'errors: http / missing / wrong assignee',
          `${intake.httpErrors} / ${intake.missing} / ${intake.wrongAssignee}`,
          '0',
          intake.httpErrors + intake.missing + intake.wrongAssignee === 0 ? 'meets' : 'misses',
        ],
        ['ticket.assigned deliveries (all sockets)', String(intake.deliveries), '', ''],
        [
          'sockets dropped during intake',
          String(intake.socketsDropped),
          '0',
          intake.socketsDropped === 0 ? 'meets' : 'misses',
        ],
        ['driver send lag p99', formatMs(intake.sendLagP99Ms), '', ''],
        [
          'event-loop delay p99: driver / swarm',
          `${formatMs(intake.driverLoopDelayP99Ms)} / ${formatMs(intake.swarmLoopDelayP99Ms)}`,
          '',
          '',
        ],
        [
          'CPU (% of one core)',
          intake.cpu
            .map(
              (share) =>
                `${share.name} ${share.percent === null ? 'n/a' : share.percent.toFixed(0)}`,
            )
            .join(', '),
          'swarm, driver < 70',
          '',
        ],
      ],
    });
  } else if (ran.has('intake')) {
    sections.push({ title: 'Intake', rows: [['intake', 'not run', '', '']] });
  }

  if (ran.has('timers')) {
    sections.push(
      timers
        ? {
            title: `Timer lateness (${timers.sample} of ${timers.total} pending accept deadlines due over ${timers.windowSeconds} s)`,
            rows: timerRows(timers),
          }
        : { title: 'Timer lateness', rows: [['timers', 'not run', '', '']] },
    );
  }

  if (ran.has('race')) {
    sections.push(
      race
        ? {
            title: `Accept race (${race.clients} clients of the assignee accept one ticket at once, ${race.lanes} race(s) at a time, over ${race.grids} grids)`,
            rows: raceRows(race),
          }
        : { title: 'Accept race', rows: [['race', 'not run', '', '']] },
    );
  }

  if (ran.has('pages') && result.pages && result.pages.length > 0) {
    sections.push({
      title: 'Initial JavaScript per page (gzipped; lazy chunks such as Leaflet not counted)',
      rows: result.pages.map(
        (page): Row => [
          page.route,
          formatBytes(page.gzipBytes),
          `<= ${GOALS.pageInitialJsKb} KB`,
          verdict(page.gzipBytes / 1024, GOALS.pageInitialJsKb),
        ],
      ),
    });
  }

  if (ran.has('frames') && result.frames) {
    const { frames } = result;
    sections.push({
      // The map shows every open ticket: those added for this part and any an earlier part left open.
      title: `Dispatcher map in Chromium (${frames.markers} open tickets, ${frames.positions} people moving, panned and zoomed for ${frames.seconds} s)`,
      rows: [
        ['tickets on the map', String(frames.markers), '', `${frames.tickets} added for this part`],
        [
          'frame time p50 / p95 / p99',
          `${formatMs(frames.frameMs?.p50, 1)} / ${formatMs(frames.frameMs?.p95, 1)} / ${formatMs(frames.frameMs?.p99, 1)}`,
          '',
          `n=${frames.frameMs?.count ?? 0}`,
        ],
        ['frame time max', formatMs(frames.frameMs?.max, 1), '', ''],
        ['frames over 50 ms', String(frames.longFrames), '', ''],
        ['position reports while measured', String(frames.reports), '', ''],
      ],
    });
  }

  if (ran.has('lookup')) {
    sections.push({
      title: 'Grid lookup (GridIndex.gridAt)',
      rows: result.lookups.flatMap((lookup): Row[] => [
        [
          `${lookup.name}: ${lookup.grids} grids p50 / p99`,
          `${formatUs(lookup.perLookupNs?.p50)} / ${formatUs(lookup.perLookupNs?.p99)}`,
          `p99 <= ${GOALS.lookupP99Us} µs`,
          verdict(lookup.perLookupNs ? lookup.perLookupNs.p99 / 1000 : null, GOALS.lookupP99Us),
        ],
        [
          `${lookup.name}: max batch mean / hits`,
          `${formatUs(lookup.perLookupNs?.max)} / ${lookup.hits} of ${lookup.lookups}`,
          '',
          `batches of ${lookup.batchSize}`,
        ],
      ]),
    });
  }

  if (ran.has('nearest') && result.nearest) {
    const { nearest } = result;
    sections.push({
      title: `Nearest ${nearest.limit} qualified volunteers among ${nearest.volunteers} on duty (Redis GEO, one Lua round trip)`,
      rows: [
        [
          'query p50 / p99',
          `${formatMs(nearest.latencyMs?.p50)} / ${formatMs(nearest.latencyMs?.p99)}`,
          `p99 <= ${GOALS.nearestP99Ms} ms`,
          verdict(nearest.latencyMs?.p99, GOALS.nearestP99Ms),
        ],
        ['query max', formatMs(nearest.latencyMs?.max), '', `n=${nearest.latencyMs?.count ?? 0}`],
        [
          'found per query / short',
          `${nearest.meanFound.toFixed(1)} / ${nearest.short}`,
          '',
          `1-2 skills, radius ${nearest.radiusM / 1000} km`,
        ],
      ],
    });
  } else if (ran.has('nearest')) {
    sections.push({
      title: 'Nearest qualified volunteers',
      rows: [['nearest', 'not run', '', '']],
    });
  }

  if (ran.has('offers') && result.offers) {
    sections.push({
      title: `Volunteer offers (${result.offers.volunteers} volunteers on duty with sockets)`,
      rows: offerRows(result.offers),
    });
  } else if (ran.has('offers')) {
    sections.push({ title: 'Volunteer offers', rows: [['offers', 'not run', '', '']] });
  }

  if (ran.has('intake')) {
    const perSocket = bytesPerSocket(memory);
    sections.push({
      title: 'Memory per idle socket (server VmRSS)',
      rows: memory
        ? [
            [
              'sockets connected / failed',
              `${memory.connected} / ${memory.failed}`,
              '',
              `in ${memory.connectSeconds.toFixed(1)} s`,
            ],
            [
              'RSS before -> after',
              `${formatBytes(memory.rssBeforeBytes)} -> ${formatBytes(memory.rssAfterBytes)}`,
              '',
              '',
            ],
            [
              'per idle socket',
              formatBytes(perSocket),
              `<= ${GOALS.idleSocketKb} KB`,
              verdict(perSocket === null ? null : perSocket / 1024, GOALS.idleSocketKb),
            ],
          ]
        : [['memory', 'not measured', '', '']],
    });
  }
  return sections;
}

function pad(text: string, width: number): string {
  // Count code points so that µ and CJK-free text line up.
  const length = [...text].length;
  return length >= width ? text : text + ' '.repeat(width - length);
}

/** A plain-text table of every section, for the terminal. */
export function renderText(result: BenchResult): string {
  const sections = reportRows(result);
  const all = sections.flatMap((section) => section.rows);
  const widths = [0, 1, 2].map((column) =>
    Math.max(...all.map((row) => [...row[column]!].length), 6),
  );
  const lines: string[] = [];
  for (const section of sections) {
    lines.push('', section.title);
    for (const row of section.rows) {
      lines.push(
        `  ${pad(row[0], widths[0]!)}  ${pad(row[1], widths[1]!)}  ${pad(row[2], widths[2]!)}  ${row[3]}`.trimEnd(),
      );
    }
  }
  if (result.notes.length > 0) {
    lines.push('', 'Notes');
    for (const note of result.notes) lines.push(`  - ${note}`);
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** What was run with which settings, for the markdown section. */
export function settingsLine(result: BenchResult): string {
  const { settings, timers, race } = result;
  const ran = new Set<Part>(result.parts);
  const parts: string[] = [];
  if (ran.has('intake')) {
    parts.push(
      `intake: ${settings.sockets} sockets in ${settings.swarmProcesses} swarm process(es) connected over ${settings.connectSpreadSeconds} s, ` +
        `${settings.rate} tickets/s for ${settings.seconds} s after ${settings.warmupSeconds} s warm-up`,
    );
  }
  if (ran.has('timers') && timers) {
    parts.push(
      `timers: ${timers.total} pending accept deadlines, ${timers.sample} due over ${timers.windowSeconds} s`,
    );
  }
  if (ran.has('race') && race) {
    parts.push(
      `race: ${race.planned} races of ${race.clients} accepts, ${race.lanes} at a time, ${race.budgetSeconds} s budget`,
    );
  }
  if (ran.has('nearest') && result.nearest) {
    const { nearest } = result;
    parts.push(
      `nearest: ${nearest.limit} of ${nearest.volunteers} volunteers, ${nearest.queries} queries`,
    );
  }
  if (ran.has('offers') && result.offers) {
    const { offers } = result;
    parts.push(
      `offers: ${offers.volunteers} volunteers, ${offers.pushTasks} tasks of ${offers.offerBatch} offers, ` +
        `${offers.races} accept races of ${offers.racers}, after ${offers.warmup} warm-up each`,
    );
  }
  const only = PARTS.filter((part) => ran.has(part));
  const prefix = only.length === PARTS.length ? 'all parts' : `parts ${only.join(', ')}`;
  return parts.length > 0 ? `${prefix}; ${parts.join('; ')}` : prefix;
}

/** A dated markdown section for BENCHMARKS.md. */
export function renderMarkdown(result: BenchResult): string {
  const { machine } = result;
  const lines: string[] = [
    `## ${result.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${formatBytes(machine.totalMemoryBytes)} RAM, Node ${machine.node}` +
      `, PostgreSQL ${machine.postgres ?? 'n/a'} (synchronous_commit ${machine.synchronousCommit ?? 'n/a'}, autovacuum ${machine.autovacuum ?? 'n/a'})` +
      `, Redis ${machine.redis ?? 'n/a'} (hz ${machine.redisHz ?? 'n/a'}).`,
    `Settings: ${settingsLine(result)}; run took ${result.durationSeconds.toFixed(0)} s.`,
  ];
  for (const section of reportRows(result)) {
    lines.push(
      '',
      `**${section.title}**`,
      '',
      '| metric | value | goal | status |',
      '|---|---|---|---|',
    );
    for (const row of section.rows) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
  }
  if (result.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const note of result.notes) lines.push(`- ${note}`);
  }
  lines.push('');
  return lines.join('\n');
}

export const BENCHMARKS_HEADER = `# Benchmarks

Figures from \`npm run bench\` (load-tests/src/bench.ts); each run appends a dated
section. Goals (DESIGN.md "Targets"): new ticket -> grid member's socket p99 <= ${GOALS.intakeP99Ms} ms
at 200 tickets/s with 5,000 sockets and within ${GOALS.floorRatio}x of the floor measured in the same run
(bare INSERT commit + bare Socket.IO round trip); grid lookup p99 <= ${GOALS.lookupP99Us} µs over 10,000 grids;
idle socket <= ${GOALS.idleSocketKb} KB of server memory; accept-deadline timers fire p99 <= ${GOALS.timerLatenessP99Ms} ms late
with 100,000 deadlines pending; an accept race of 50 clients has exactly one winner and 409 for the rest;
the nearest 10 qualified volunteers among 100,000 p99 <= ${GOALS.nearestP99Ms} ms; a volunteer task offered to 50
has exactly as many winners as slots (offer push latency and accepts per second are recorded).
See load-tests/README.md for the method.
`;
