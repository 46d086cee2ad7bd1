import { describe, expect, it } from 'vitest';
import {
  bytesPerSocket,
  floorOf,
  formatBytes,
  formatMs,
  formatUs,
  renderMarkdown,
  renderText,
  verdict,
  type BenchResult,
} from './report.ts';
import { summarize } from './stats.ts';

function sample(): BenchResult {
  return {
    startedAt: new Date('2026-11-22T10:20:30Z'),
    durationSeconds: 75,
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU',
      totalMemoryBytes: 8 * 1024 ** 3,
      node: 'v20.20.2',
      postgres: '15.8',
      synchronousCommit: 'on',
      autovacuum: 'on',
      redis: '7.0.15',
      redisHz: 10,
    },
    parts: ['pages', 'lookup', 'nearest', 'floor', 'intake', 'frames', 'timers', 'race', 'offers'],
    offers: {
      volunteers: 100,
      pushTasks: 10,
      offerBatch: 10,
      warmup: 3,
      offersExpected: 100,
      offersReceived: 100,
      pushMs: summarize([20, 25, 60]),
      pushAfterAnswerMs: summarize([-4, -2, 1]),
      offersBeforeAnswer: 98,
      races: 2,
      racers: 50,
      shortRaces: 0,
      acceptRequests: 100,
      acceptsPerSecond: 500,
      acceptMs: summarize([50, 70, 120]),
      winners: 2,
      slots: 2,
      violations: 0,
      otherStatuses: '',
    },
    nearest: {
      volunteers: 100_000,
      queries: 3,
      limit: 10,
      radiusM: 10_000,
      latencyMs: summarize([0.2, 0.3, 6]),
      meanFound: 10,
      short: 0,
      loadSeconds: 2,
      redisUsecPerQuery: 150,
    },
    pages: [{ route: '/dispatch', files: 30, gzipBytes: 124_455 }],
    settings: {
      sockets: 5000,
      rate: 200,
      seconds: 20,
      warmupSeconds: 3,
      swarmProcesses: 2,
      connectSpreadSeconds: 20,
    },
    floor: { insert: summarize([1, 1, 2]), roundTrip: summarize([0.5, 0.5, 1]) },
    intake: {
      latency: summarize([4, 5, 6]),
      http: summarize([3, 4, 5]),
      planned: 4000,
      sent: 4000,
      created: 4000,
      httpErrors: 0,
      missing: 0,
      wrongAssignee: 0,
      deliveries: 12_000,
      achievedRate: 199.9,
      sendLagP99Ms: 1.2,
      cpu: [
        { name: 'server', percent: 55 },
        { name: 'driver', percent: null },
      ],
      swarmLoopDelayP99Ms: 3,
      driverLoopDelayP99Ms: 2,
      socketsDropped: 0,
      floorUnderLoad: null,
    },
    lookups: [
      {
        name: 'synthetic',
        grids: 10_000,
        lookups: 100_000,
        batchSize: 10,
        perLookupNs: summarize([900, 1000, 25_000]),
        hits: 100_000,
      },
    ],
    memory: {
      sockets: 5000,
      connected: 5000,
      failed: 0,
      connectSeconds: 12,
      rssBeforeBytes: 100 * 1024 ** 2,
      rssAfterBytes: 100 * 1024 ** 2 + 5000 * 20 * 1024,
    },
    timers: {
      total: 100_000,
      sample: 2000,
      warmup: 200,
      windowSeconds: 30,
      inserted: 100_000,
      scheduled: 100_000,
      insertSeconds: 4.2,
      scheduleSeconds: 8,
      pendingAtStart: 100_003,
      lateness: summarize([2, 3, 4, 80]),
      overGoal: 1,
      early: 0,
      missing: 0,
      metricCount: 2000,
      metricP99BoundSeconds: 0.1,
      metricShareWithin50ms: 0.985,
      redisHz: 10,
      busySpans: [[14.5, 21]],
      latenessInBusy: summarize([80]),
      latenessOutsideBusy: summarize([2, 3, 4]),
      redisScriptBusyMaxShare: 0.62,
      cpu: [{ name: 'workers', percent: 31 }],
      workersLoopLagP99Ms: 12,
    },
    race: {
      planned: 10_000,
      races: 2500,
      clients: 50,
      lanes: 1,
      grids: 200,
      warmup: 20,
      budgetSeconds: 90,
      elapsedSeconds: 90.2,
      oneWinner: 2500,
      noWinner: 0,
      manyWinners: 0,
      conflicts: 122_500,
      otherLosers: 0,
      otherStatuses: '',
      claim: summarize([5, 6, 7]),
      race: summarize([20, 30, 40]),
      acceptsPerSecond: 27.7,
      requestsPerSecond: 1385,
      dbTransactionsPerRequest: 6.2,
      dbAccepted: 2520,
      dbDoubleAccepted: 0,
      expectedAccepted: 2520,
      cpu: [{ name: 'server', percent: 99 }],
      driverLoopDelayP99Ms: 3,
    },
    notes: ['a note with a | pipe'],
  };
}

describe('figures', () => {
  it('sums the floor legs', () => {
    expect(floorOf(sample().floor)).toEqual({ p50: 1.5, p99: 3 });
    expect(floorOf({ insert: null, roundTrip: summarize([1]) })).toBeNull();
  });

  it('divides the RSS growth by the connected sockets', () => {
    expect(bytesPerSocket(sample().memory)).toBe(20 * 1024);
    expect(bytesPerSocket(null)).toBeNull();
    expect(bytesPerSocket({ ...sample().memory!, connected: 0 })).toBeNull();
    expect(bytesPerSocket({ ...sample().memory!, rssAfterBytes: null })).toBeNull();
  });

  it('formats units and verdicts', () => {
    expect(formatMs(1.234)).toBe('1.23 ms');
    expect(formatMs(null)).toBe('n/a');
    expect(formatMs(Number.NaN)).toBe('n/a');
    expect(formatUs(1500)).toBe('1.50 µs');
    expect(formatBytes(20 * 1024)).toBe('20.0 KB');
    expect(formatBytes(3 * 1024 ** 2)).toBe('3.0 MB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GB');
    expect(verdict(20, 20)).toBe('meets');
    expect(verdict(20.1, 20)).toBe('misses');
    expect(verdict(null, 20)).toBe('n/a');
  });
});

describe('rendering', () => {
  it('prints every section with goals beside the figures', () => {
    const text = renderText(sample());
    expect(text).toContain('Floor (same run)');
    expect(text).toMatch(/latency p99\s+6\.00 ms\s+<= 20 ms\s+meets/);
    expect(text).toMatch(/p99 \/ floor p99\s+2\.00x\s+<= 2x\s+meets/);
    expect(text).toMatch(
      /synthetic: 10000 grids p50 \/ p99\s+1\.00 µs \/ 25\.00 µs\s+p99 <= 20 µs\s+misses/,
    );
    expect(text).toMatch(/per idle socket\s+20\.0 KB\s+<= 25 KB\s+meets/);
    expect(text).toContain('server 55, driver n/a');
    expect(text).toContain('  - a note with a | pipe');
  });

  it("prints each page's initial JavaScript against the 300 KB budget", () => {
    const text = renderText(sample());
    expect(text).toMatch(/Initial JavaScript per page/);
    expect(text).toMatch(/\/dispatch\s+121\.5 KB\s+<= 300 KB\s+meets/);
    const heavy = renderText({
      ...sample(),
      pages: [{ route: '/dispatch', files: 30, gzipBytes: 400 * 1024 }],
    });
    expect(heavy).toMatch(/\/dispatch\s+400\.0 KB\s+<= 300 KB\s+misses/);
  });

  it("prints the dispatcher map's frame times when that part ran", () => {
    const text = renderText({
      ...sample(),
      frames: {
        tickets: 5000,
        markers: 9600,
        positions: 1553,
        reports: 7000,
        seconds: 15,
        frameMs: summarize([16, 17, 18, 900]),
        longFrames: 1,
      },
    });
    expect(text).toMatch(/Dispatcher map in Chromium \(9600 open tickets, 1553 people moving/);
    expect(text).toMatch(/tickets on the map\s+9600\s+5000 added for this part/);
    expect(text).toMatch(/frames over 50 ms\s+1/);
    expect(renderText(sample())).not.toMatch(/Dispatcher map in Chromium/);
  });

  it('writes a dated markdown section with the machine', () => {
    const markdown = renderMarkdown(sample());
    expect(markdown.startsWith('## 2026-11-22 10:20 UTC\n')).toBe(true);
    expect(markdown).toContain('Machine: 2 CPUs (Test CPU), 8.0 GB RAM, Node v20.20.2');
    expect(markdown).toContain('| latency p99 | 6.00 ms | <= 20 ms | meets |');
    expect(markdown).toContain('- a note with a | pipe');
    for (const line of markdown.split('\n').filter((row) => row.startsWith('| '))) {
      expect(line.split(/(?<!\\)\|/).length).toBe(6);
    }
  });

  it('prints timer lateness against its goal, with Redis hz', () => {
    const text = renderText(sample());
    expect(text).toContain(
      'Timer lateness (2000 of 100000 pending accept deadlines due over 30 s)',
    );
    expect(text).toMatch(/lateness p99\s+80\.0 ms\s+<= 50 ms\s+misses/);
    expect(text).toMatch(/late > 50 ms \/ early \/ missing\s+1 \/ 0 \/ 0/);
    expect(text).toMatch(/delayed jobs pending at the start\s+100003\s+>= 99800\s+meets/);
    expect(text).toMatch(
      /Redis busy with scripts \(reconciler pass\)\s+\+14\.5\.\.\+21\.0 s\s+peak 62%/,
    );
    expect(text).toMatch(/lateness p99: due then \/ otherwise\s+80\.0 ms \/ 4\.0 ms\s+n=1 \/ 3/);
    expect(text).toMatch(/workers' histogram: <= 50 ms \/ p99 bound\s+98\.5% \/ <= 100 ms/);
    expect(text).toMatch(/Redis hz\s+10/);
    expect(renderMarkdown(sample())).toContain('Redis 7.0.15 (hz 10).');
  });

  it('prints the accept race with its correctness checks', () => {
    const text = renderText(sample());
    expect(text).toMatch(/races run\s+2500 of 10000 planned\s+stopped at the 90 s budget/);
    expect(text).toMatch(/races with other than one 200\s+0\s+0\s+meets/);
    expect(text).toMatch(/losers: 409 \/ other\s+122500 \/ 0\s+other 0\s+meets/);
    expect(text).toMatch(/database: ACCEPTED \/ tickets accepted twice\s+2520 of 2520 \/ 0/);
    expect(text).not.toContain('other answers');
    expect(text).toMatch(/database transactions per request\s+6\.2/);
    const bad = renderText({
      ...sample(),
      race: {
        ...sample().race!,
        manyWinners: 1,
        otherLosers: 2,
        otherStatuses: '403 x2',
        dbDoubleAccepted: 1,
      },
    });
    expect(bad).toMatch(/races with other than one 200\s+1\s+0\s+misses/);
    expect(bad).toMatch(/other answers\s+403 x2/);
    expect(bad).toMatch(/tickets accepted twice\s+2520 of 2520 \/ 1\s+equal \/ 0\s+misses/);
  });

  it('leaves out the parts that were not asked for', () => {
    const result = { ...sample(), parts: ['timers' as const, 'race' as const] };
    const text = renderText(result);
    expect(text).not.toContain('Floor (same run)');
    expect(text).not.toContain('Intake');
    expect(text).not.toContain('Grid lookup');
    expect(text).not.toContain('Memory per idle socket');
    expect(text).toContain('Timer lateness');
    expect(text).toContain('Accept race');
    expect(renderMarkdown(result)).toContain(
      'Settings: parts timers, race; timers: 100000 pending',
    );
    expect(renderMarkdown(sample())).toContain('Settings: all parts; intake: 5000 sockets');
  });

  it('judges the nearest-volunteers query against its 5 ms goal', () => {
    const text = renderMarkdown(sample());
    expect(text).toContain('Nearest 10 qualified volunteers among 100000 on duty');
    expect(text).toMatch(/query p50 \/ p99 \| 0\.30 ms \/ 6\.00 ms \| p99 <= 5 ms \| misses/);
    const quick = { ...sample() };
    quick.nearest = { ...quick.nearest!, latencyMs: summarize([0.2, 0.3, 0.4]) };
    expect(renderMarkdown(quick)).toMatch(/p99 <= 5 ms \| meets/);
    expect(renderMarkdown({ ...sample(), parts: ['timers'] })).not.toContain('Nearest');
  });

  it('records offer push latency and the accept contention, failing a race with two winners', () => {
    const text = renderMarkdown(sample());
    expect(text).toContain('Volunteer offers (100 volunteers on duty with sockets)');
    expect(text).toContain(
      '| offer push p50 / p99 (from sending the POST) | 25.00 ms / 60.00 ms |  | max 60.00 ms; 10 tasks of 10 offers |',
    );
    expect(text).toContain(
      '| offer push from the 201 p50 / p99 | -2.00 ms / 1.00 ms |  | 98 of 100 before the 201 (negative) |',
    );
    expect(text).toContain('| offers pushed / missing | 100 / 0 | missing 0 | meets |');
    expect(text).toMatch(/accepts per second under contention \| 500 \|/);
    expect(text).toMatch(
      /winners \/ slots; races with a wrong winner count \| 2 \/ 2; 0 \| 0 \| meets/,
    );
    expect(text).not.toContain('answers other than 200 and 409');
    const broken = { ...sample() };
    broken.offers = {
      ...broken.offers!,
      winners: 3,
      violations: 1,
      offersReceived: 97,
      otherStatuses: '403 x2',
      shortRaces: 1,
    };
    const bad = renderMarkdown(broken);
    expect(bad).toMatch(/3 \/ 2; 1 \| 0 \| misses/);
    expect(bad).toContain('| offers pushed / missing | 97 / 3 | missing 0 | misses |');
    expect(bad).toContain('|   answers other than 200 and 409 | 403 x2 |  |  |');
    expect(bad).toContain(
      '|   races with fewer than 50 offers | 1 |  | raced with those offered |',
    );
    // Too few winners in total is wrong even when no single race was judged so.
    const short = { ...sample() };
    short.offers = { ...short.offers!, winners: 1 };
    expect(renderMarkdown(short)).toMatch(/1 \/ 2; 0 \| 0 \| misses/);
  });

  it('names the nearest and offers settings and says when offers did not run', () => {
    const markdown = renderMarkdown(sample());
    expect(markdown).toContain('nearest: 10 of 100000 volunteers, 3 queries');
    expect(markdown).toContain(
      'offers: 100 volunteers, 10 tasks of 10 offers, 2 accept races of 50, after 3 warm-up each',
    );
    const none = renderText({ ...sample(), offers: null, nearest: null });
    expect(none).toMatch(/offers\s+not run/);
    expect(none).toMatch(/nearest\s+not run/);
    expect(renderMarkdown({ ...sample(), parts: ['offers'] })).toContain(
      'Settings: parts offers; offers: 100 volunteers',
    );
  });

  it('says what was not run', () => {
    const result = { ...sample(), intake: null, memory: null, timers: null, race: null };
    const text = renderText(result);
    expect(text).toMatch(/intake\s+not run/);
    expect(text).toMatch(/memory\s+not measured/);
    expect(text).toMatch(/timers\s+not run/);
    expect(text).toMatch(/race\s+not run/);
  });
});
