import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (e2e/src/support -> ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A free TCP port on 127.0.0.1 (the OS picks it; freed again before we return). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface SpawnedProcess {
  name: string;
  child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<string>;
}

const OUTPUT_LINES = 200;

/**
 * Starts `node --conditions=source --import tsx <entry>` from the repository root,
 * the way `npm run demo` runs the sources. Node is started directly (not through
 * npx or the tsx CLI) so that the pid we hold is the process itself and a signal
 * reaches it without a wrapper in between.
 */
export function spawnTs(
  name: string,
  entry: string,
  env: Record<string, string | undefined>,
): SpawnedProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > OUTPUT_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`));
    child.once('error', (error) => {
      lines.push(`spawn error: ${error.message}`);
      resolve('spawn error');
    });
  });
  let stopping: Promise<string> | null = null;
  return {
    name,
    child,
    output: () => lines.join('\n'),
    exited,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return exited;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}

export interface ServerProcess extends SpawnedProcess {
  baseUrl: string;
  port: number;
}

export interface ServerProcessOptions {
  databaseUrl: string;
  redisPrefix: string;
  timeScale?: number;
  /** Must equal the in-process server's (system.ts uses 'test-secret') for cookies to work on both. */
  sessionSecret?: string;
  /** How long to wait for GET /readyz to answer 200. */
  readyTimeoutMs?: number;
}

/**
 * A second API + Socket.IO server as a real child process (server/src/main.ts),
 * on the given database and Redis prefix. Resolves once /readyz answers 200.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = await freePort();
  const spawned = spawnTs('server', 'server/src/main.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    REDIS_PREFIX: options.redisPrefix,
    TIME_SCALE: String(options.timeScale ?? 1),
    SESSION_SECRET: options.sessionSecret ?? 'test-secret',
    WEB_HANDLER: 'none',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  });
  return untilReady(spawned, port, options.readyTimeoutMs);
}

/** Waits until a spawned server answers GET /readyz with 200; stops it and throws if it never does. */
export async function untilReady(
  spawned: SpawnedProcess,
  port: number,
  readyTimeoutMs = 30_000,
): Promise<ServerProcess> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  let ended: string | null = null;
  void spawned.exited.then((how) => {
    ended = how;
  });
  for (;;) {
    if (ended !== null) {
      throw new Error(`server process ended (${ended}) before it was ready:\n${spawned.output()}`);
    }
    const ready = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return { ...spawned, baseUrl, port };
    if (Date.now() > deadline) {
      await spawned.stop();
      throw new Error(`server process not ready on ${baseUrl}:\n${spawned.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
