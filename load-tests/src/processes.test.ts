import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { syscallCounts, WorkMeter } from './processes.ts';

describe('a process’s work per unit', () => {
  it('counts the read and write system calls made between the readings', () => {
    const meter = new WorkMeter(process.pid);
    const sink = openSync('/dev/null', 'w');
    const source = openSync('/dev/zero', 'r');
    const buffer = Buffer.alloc(16);
    for (let i = 0; i < 200; i++) {
      writeSync(sink, buffer);
      readSync(source, buffer);
    }
    closeSync(sink);
    closeSync(source);
    const work = meter.per(100);
    expect(work).not.toBeNull();
    // 200 of each over 100 units, and little else in between.
    expect(work!.writes).toBeGreaterThanOrEqual(2);
    expect(work!.writes).toBeLessThan(3);
    expect(work!.reads).toBeGreaterThanOrEqual(2);
    expect(work!.cpuMs).toBeGreaterThanOrEqual(0);
  });

  it('reads nothing for a process that does not exist, or for no units', () => {
    expect(syscallCounts(2 ** 22 + 1)).toBeNull();
    expect(new WorkMeter(process.pid).per(0)).toBeNull();
  });
});
