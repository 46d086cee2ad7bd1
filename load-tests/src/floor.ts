/**
 * The floor: what a ticket's trip cannot beat on this machine, measured in the
 * same run — a bare INSERT commit through pg and a bare Socket.IO round trip
 * through a tiny server of our own.
 */
import pg from 'pg';
import { io } from 'socket.io-client';
import { isMessage, type FromEchoServer, type ToEchoServer } from './protocol.ts';
import { spawnTs, type Child } from './processes.ts';
import { summarize, type Summary } from './stats.ts';

const SCRATCH_TABLE = 'bench_floor_scratch';

/** p50/p99 of a one-row INSERT committed on its own (autocommit), in ms. */
export async function measureInsert(
  url: string,
  count: number,
  warmup = 100,
): Promise<Summary | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${SCRATCH_TABLE} (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client.query(`TRUNCATE ${SCRATCH_TABLE}`);
    const samples: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const t0 = process.hrtime.bigint();
      await client.query(`INSERT INTO ${SCRATCH_TABLE} (payload) VALUES ($1)`, [`floor ${i}`]);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= warmup) samples.push(ms);
    }
    return summarize(samples);
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${SCRATCH_TABLE}`).catch(() => undefined);
    await client.end();
  }
}

/** Starts the echo server child; resolves with it and its port. */
export async function startEchoServer(
  cwd: string,
  file: string,
  timeoutMs = 30_000,
): Promise<{ child: Child; port: number }> {
  const child = spawnTs('echo-server', file, { cwd, env: { ...process.env }, ipc: true });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`echo server not listening after ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      child.process.on('message', (message: unknown) => {
        if (isMessage<FromEchoServer>(message) && message.type === 'listening') {
          clearTimeout(timer);
          resolve(message.port);
        }
      });
      void child.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`echo server exited (${child.exitCode()}):\n${child.tail()}`));
      });
    });
    return { child, port };
  } catch (error) {
    await child.stop(2000);
    throw error;
  }
}

export function stopEchoServer(child: Child): Promise<void> {
  const message: ToEchoServer = { type: 'stop' };
  if (child.process.connected) child.process.send(message);
  return child.stop(3000);
}

/** p50/p99 of emit -> server broadcast to the client's room -> receipt, one at a time, in ms. */
export async function measureSocketRoundTrip(
  port: number,
  count: number,
  warmup = 100,
): Promise<Summary | null> {
  const socket = io(`http://127.0.0.1:${port}`, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const samples: number[] = [];
    let waiting: { seq: number; resolve: () => void } | null = null;
    socket.on('echoed', (seq: unknown) => {
      if (waiting && seq === waiting.seq) waiting.resolve();
    });
    for (let seq = 0; seq < warmup + count; seq++) {
      let timer: NodeJS.Timeout | undefined;
      const t0 = process.hrtime.bigint();
      const received = new Promise<boolean>((resolve) => {
        waiting = { seq, resolve: () => resolve(true) };
        timer = setTimeout(() => resolve(false), 2000);
      });
      socket.emit('echo', seq);
      const ok = await received;
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      waiting = null;
      if (ok && seq >= warmup) samples.push(ms);
    }
    return summarize(samples);
  } finally {
    socket.disconnect();
  }
}
