import { describe, expect, it } from 'vitest';
import { gcDelta, prometheusSample, prometheusValue } from './machine.ts';

const EXPOSITION = `# HELP nodejs_gc_duration_seconds Garbage collection duration by kind.
# TYPE nodejs_gc_duration_seconds histogram
nodejs_gc_duration_seconds_count{kind="minor"} 120
nodejs_gc_duration_seconds_count{kind="major"} 3
nodejs_gc_duration_seconds_sum{kind="major"} 0.031
nodejs_eventloop_lag_p99_seconds 0.0151
`;

describe('reading Prometheus text', () => {
  it('reads the series whose labels match, not the first of that name', () => {
    expect(
      prometheusSample(EXPOSITION, 'nodejs_gc_duration_seconds_count', { kind: 'major' }),
    ).toBe(3);
    expect(prometheusSample(EXPOSITION, 'nodejs_gc_duration_seconds_sum', { kind: 'major' })).toBe(
      0.031,
    );
    expect(prometheusSample(EXPOSITION, 'nodejs_gc_duration_seconds_count', { kind: 'weak' })).toBe(
      null,
    );
  });

  it('reads an unlabelled value', () => {
    expect(prometheusValue(EXPOSITION, 'nodejs_eventloop_lag_p99_seconds')).toBe(0.0151);
    expect(prometheusValue(EXPOSITION, 'missing_metric')).toBe(null);
  });
});

describe('garbage collections between two scrapes', () => {
  const scrape = (minor: number, minorSeconds: number, major: number) =>
    [
      `nodejs_gc_duration_seconds_count{kind="minor"} ${minor}`,
      `nodejs_gc_duration_seconds_sum{kind="minor"} ${minorSeconds}`,
      `nodejs_gc_duration_seconds_count{kind="major"} ${major}`,
      `nodejs_gc_duration_seconds_sum{kind="major"} 0.5`,
    ].join('\n');

  it('counts the collections of the asked kind and their pauses in milliseconds', () => {
    const before = scrape(100, 0.4, 2);
    const after = scrape(130, 0.55, 3);
    expect(gcDelta(before, after, 'minor')).toEqual({ count: 30, ms: expect.closeTo(150, 6) });
    expect(gcDelta(before, after, 'major')).toEqual({ count: 1, ms: 0 });
  });

  it('has nothing to say without both scrapes', () => {
    expect(gcDelta(null, scrape(1, 0.1, 0), 'minor')).toBe(null);
    expect(gcDelta(scrape(1, 0.1, 0), null, 'minor')).toBe(null);
  });
});
