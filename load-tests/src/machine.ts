/** What the benchmark ran on (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function cpuCount(): number {
  try {
    const value = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
    if (Number.isInteger(value) && value > 0) return value;
  } catch {
    // fall through
  }
  return os.availableParallelism();
}

export function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export function machineJiffies(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    if (values.length < 5 || values.some((value) => !Number.isFinite(value))) return null;
    const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Percent of all CPUs busy between two readings. */
export function busyPercent(
  before: ReturnType<typeof machineJiffies>,
  after: ReturnType<typeof machineJiffies>,
): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return ((after.busy - before.busy) / (after.total - before.total)) * 100;
}

/** One value of a Prometheus text exposition (the first series of that name), or null. */
export function prometheusValue(text: string, name: string): number | null {
  const pattern = new RegExp(
    `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\{[^}]*\\})?\\s+(\\S+)`,
    'm',
  );
  const match = pattern.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

/** The value of the series of `name` whose labels include all of `labels`, or null. */
export function prometheusSample(
  text: string,
  name: string,
  labels: Record<string, string>,
): number | null {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}\\{([^}]*)\\}\\s+(\\S+)`, 'gm');
  for (const match of text.matchAll(pattern)) {
    const present = new Map(
      [...match[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1]!, pair[2]!]),
    );
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) {
      const value = Number(match[2]);
      return Number.isFinite(value) ? value : null;
    }
  }
  return null;
}

/** Garbage collections of one kind between two scrapes of a process's prom-client metrics. */
export function gcDelta(
  before: string | null,
  after: string | null,
  kind: 'major' | 'minor' | 'incremental' | 'weakcb',
): { count: number; ms: number } | null {
  if (!before || !after) return null;
  const read = (text: string, name: string) => prometheusSample(text, name, { kind }) ?? 0;
  return {
    count:
      read(after, 'nodejs_gc_duration_seconds_count') -
      read(before, 'nodejs_gc_duration_seconds_count'),
    ms:
      (read(after, 'nodejs_gc_duration_seconds_sum') -
        read(before, 'nodejs_gc_duration_seconds_sum')) *
      1000,
  };
}
