import { describe, expect, it } from 'vitest';
import { prometheusSample, prometheusValue } from './machine.ts';

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
