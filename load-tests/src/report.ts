/** The benchmark's figures and how they are printed and recorded. Pure. */
import type { Summary } from './stats.ts';

/** DESIGN.md "Targets". */
export const GOALS = {
  intakeP99Ms: 20,
  floorRatio: 2,
  lookupP99Us: 20,
  idleSocketKb: 25,
} as const;

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
  postgres: string | null;
  synchronousCommit: string | null;
  redis: string | null;
}

export interface BenchSettings {
  sockets: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  swarmProcesses: number;
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

export interface BenchResult {
  startedAt: Date;
  durationSeconds: number;
  machine: MachineInfo;
  settings: BenchSettings;
  floor: FloorResult;
  intake: IntakeResult | null;
  lookups: LookupResult[];
  memory: MemoryResult | null;
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

type Row = [metric: string, value: string, goal: string, status: string];

/** The report's rows, grouped by section; text and markdown render the same rows. */
export function reportRows(result: BenchResult): Array<{ title: string; rows: Row[] }> {
  const sections: Array<{ title: string; rows: Row[] }> = [];
  const { floor, intake, memory } = result;
  const floorP = floorOf(floor);

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

  if (intake) {
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
  } else {
    sections.push({ title: 'Intake', rows: [['intake', 'not run', '', '']] });
  }

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

/** A dated markdown section for BENCHMARKS.md. */
export function renderMarkdown(result: BenchResult): string {
  const { machine, settings } = result;
  const lines: string[] = [
    `## ${result.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${formatBytes(machine.totalMemoryBytes)} RAM, Node ${machine.node}` +
      `, PostgreSQL ${machine.postgres ?? 'n/a'} (synchronous_commit ${machine.synchronousCommit ?? 'n/a'})` +
      `, Redis ${machine.redis ?? 'n/a'}.`,
    `Settings: ${settings.sockets} sockets in ${settings.swarmProcesses} swarm process(es), ` +
      `${settings.rate} tickets/s for ${settings.seconds} s after ${settings.warmupSeconds} s warm-up; ` +
      `run took ${result.durationSeconds.toFixed(0)} s.`,
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
idle socket <= ${GOALS.idleSocketKb} KB of server memory. See load-tests/README.md for the method.
`;
