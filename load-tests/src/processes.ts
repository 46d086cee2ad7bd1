/** Child processes, ports and /proc readings for the benchmark driver (Linux). */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const TAIL_LINES = 40;

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The last lines the child wrote, for error reports. */
  tail(): string;
  exitCode(): number | null | undefined;
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone (or 2 s after SIGKILL). */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnTsOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ipc?: boolean;
  /** Echo the child's output to ours as it comes. */
  echo?: boolean;
  /** Extra Node options, e.g. ['--cpu-prof'] to profile the child. */
  nodeArgs?: string[];
}

/**
 * Runs a TypeScript entry point with Node and tsx's loader in one process
 * (`node --conditions=source --import tsx file`), so the pid is the program
 * itself and /proc figures describe it, not a wrapper.
 */
export function spawnTs(name: string, file: string, options: SpawnTsOptions): Child {
  return spawnNode(name, file, {
    ...options,
    nodeArgs: [...(options.nodeArgs ?? []), '--conditions=source', '--import', 'tsx'],
  });
}

/** Runs a JavaScript entry point (a built `dist/main.js`) with Node, as `npm start` does. */
export function spawnNode(name: string, file: string, options: SpawnTsOptions): Child {
  const args = [...(options.nodeArgs ?? []), file];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (options.echo) process.stderr.write(text.replace(/^(?=.)/gm, `[${name}] `));
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      code = exitCode ?? (signal ? -1 : null);
      resolve();
    });
    child.once('error', () => {
      code = -1;
      resolve();
    });
  });
  const pid = child.pid;
  return {
    name,
    process: child,
    pid,
    tail: () => lines.join('\n'),
    exitCode: () => code,
    exited,
    async stop(graceMs = 10_000) {
      if (code !== undefined) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([
        exited.then(() => false),
        delay(graceMs).then(() => true),
      ]);
      if (killed && code === undefined) {
        child.kill('SIGKILL');
        await Promise.race([exited, delay(2000)]);
      }
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port free on 127.0.0.1 right now (the OS picks it; a tiny race remains). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `url` until it answers 200, the child exits, or `timeoutMs` passes. */
export async function waitForReady(
  url: string,
  children: Child[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    for (const child of children) {
      if (child.exitCode() !== undefined) {
        throw new Error(
          `${child.name} exited (${child.exitCode()}) before ${url} was ready:\n${child.tail()}`,
        );
      }
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(250);
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s (${last})`);
}

/** Resident set size of a process in bytes, from /proc/<pid>/status; null when unreadable. */
export function rssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

let clockTicks: number | null = null;

function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; null when unreadable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
    return (utime + stime) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Read and write system calls a process has made, from /proc/<pid>/io; null when unreadable. */
export function syscallCounts(pid: number): { reads: number; writes: number } | null {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const reads = /^syscr:\s+(\d+)/m.exec(io);
    const writes = /^syscw:\s+(\d+)/m.exec(io);
    return reads && writes ? { reads: Number(reads[1]), writes: Number(writes[1]) } : null;
  } catch {
    return null;
  }
}

/** What a process spent between construction and `per(n)`: CPU time and system calls, per unit of work. */
export class WorkMeter {
  private readonly cpu: number | null;
  private readonly calls: { reads: number; writes: number } | null;

  constructor(private readonly pid: number) {
    this.cpu = cpuSeconds(pid);
    this.calls = syscallCounts(pid);
  }

  per(units: number): { cpuMs: number; reads: number; writes: number } | null {
    const cpu = cpuSeconds(this.pid);
    const calls = syscallCounts(this.pid);
    if (units <= 0 || this.cpu === null || cpu === null || !this.calls || !calls) return null;
    return {
      cpuMs: ((cpu - this.cpu) * 1000) / units,
      reads: (calls.reads - this.calls.reads) / units,
      writes: (calls.writes - this.calls.writes) / units,
    };
  }
}

/** Samples CPU seconds of several processes now; `since` gives % of one core over the interval. */
export class CpuMeter {
  private readonly start: Map<number, number | null>;
  private readonly startedAt: number;

  constructor(private readonly pids: number[]) {
    this.start = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
    this.startedAt = performance.now();
  }

  percent(pid: number): number | null {
    const before = this.start.get(pid);
    const after = cpuSeconds(pid);
    const seconds = (performance.now() - this.startedAt) / 1000;
    if (before === null || before === undefined || after === null || seconds <= 0) return null;
    return ((after - before) / seconds) * 100;
  }

  get watched(): readonly number[] {
    return this.pids;
  }
}

/** CPU seconds of every process whose command name (/proc/<pid>/comm) is one of `names`. */
export function cpuSecondsByName(names: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries.slice(0, 100_000)) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (!names.includes(comm)) continue;
    } catch {
      continue;
    }
    const seconds = cpuSeconds(pid);
    if (seconds !== null) out.set(pid, seconds);
  }
  return out;
}

/** Percent of one core a group of processes (by command name) used between construction and `percent()`. */
export class NamedCpuMeter {
  private readonly before: Map<number, number>;
  private readonly startedAt = performance.now();

  constructor(private readonly names: readonly string[]) {
    this.before = cpuSecondsByName(names);
  }

  percent(): number | null {
    const seconds = (performance.now() - this.startedAt) / 1000;
    if (seconds <= 0) return null;
    let used = 0;
    for (const [pid, after] of cpuSecondsByName(this.names))
      used += after - (this.before.get(pid) ?? 0);
    return (used / seconds) * 100;
  }
}
