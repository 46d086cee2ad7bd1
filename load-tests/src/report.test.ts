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
      redis: '7.0.15',
    },
    settings: { sockets: 5000, rate: 200, seconds: 20, warmupSeconds: 3, swarmProcesses: 2 },
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

  it('says what was not run', () => {
    const result = { ...sample(), intake: null, memory: null };
    const text = renderText(result);
    expect(text).toMatch(/intake\s+not run/);
    expect(text).toMatch(/memory\s+not measured/);
  });
});
