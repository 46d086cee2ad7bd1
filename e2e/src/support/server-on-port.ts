import { spawnTs, untilReady, type ServerProcess, type ServerProcessOptions } from './processes.ts';

export interface ServerOnPortOptions extends ServerProcessOptions {
  /** The child's LOG_LEVEL (default: TEST_LOG_LEVEL, else 'warn'). 'info' logs "shutting down". */
  logLevel?: string;
}

export interface ObservedServerProcess extends ServerProcess {
  /**
   * Resolves with Date.now() of the moment a line containing `text` arrived on the
   * child's stdout or stderr (at once if one already did); rejects after `timeoutMs`.
   */
  waitForLine(text: string, timeoutMs: number): Promise<number>;
}

/**
 * Like startServerProcess (support/processes.ts), but on a port the caller chooses, so a
 * killed server can be replaced by a new process on the same address, and with the
 * child's output watched line by line. Resolves once GET /readyz answers 200.
 */
export async function startServerProcessOn(
  port: number,
  options: ServerOnPortOptions,
): Promise<ObservedServerProcess> {
  const spawned = spawnTs('server', 'server/src/main.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    REDIS_PREFIX: options.redisPrefix,
    TIME_SCALE: String(options.timeScale ?? 1),
    SESSION_SECRET: options.sessionSecret ?? 'test-secret',
    WEB_HANDLER: 'none',
    LOG_LEVEL: options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'warn',
  });
  const seen: Array<{ line: string; at: number }> = [];
  const waiters = new Set<{ text: string; resolve: (at: number) => void }>();
  const onData = (chunk: Buffer) => {
    const at = Date.now();
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      if (seen.length < 1000) seen.push({ line, at });
      for (const waiter of waiters) {
        if (!line.includes(waiter.text)) continue;
        waiters.delete(waiter);
        waiter.resolve(at);
      }
    }
  };
  spawned.child.stdout?.on('data', onData);
  spawned.child.stderr?.on('data', onData);
  const waitForLine = (text: string, timeoutMs: number) => {
    const earlier = seen.find((entry) => entry.line.includes(text));
    if (earlier) return Promise.resolve(earlier.at);
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        text,
        resolve: (at: number) => {
          clearTimeout(timer);
          resolve(at);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no line with "${text}" from the server within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  return { ...(await untilReady(spawned, port, options.readyTimeoutMs)), waitForLine };
}
