/**
 * The floor: what a ticket's trip cannot beat on this machine, measured in the
 * same run — a bare INSERT commit through pg and a bare Socket.IO round trip
 * through a tiny server of our own.
 */
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { isMessage, type FromEchoServer, type ToEchoServer } from './protocol.ts';
import { spawnTs, type Child } from './processes.ts';
import { summarize, type Summary } from './stats.ts';

const SCRATCH_TABLE = 'bench_floor_scratch';

/** A scratch table and a connection of its own: each `once()` is one INSERT committed alone. */
class InsertProbe {
  private seq = 0;
  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<InsertProbe> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${SCRATCH_TABLE} (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client.query(`TRUNCATE ${SCRATCH_TABLE}`);
    return new InsertProbe(client);
  }

  /** ms from sending the INSERT to its commit's answer. */
  async once(): Promise<number> {
    const t0 = process.hrtime.bigint();
    await this.client.query(`INSERT INTO ${SCRATCH_TABLE} (payload) VALUES ($1)`, [
      `floor ${this.seq++}`,
    ]);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }

  async close(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS ${SCRATCH_TABLE}`).catch(() => undefined);
    await this.client.end();
  }
}

/** p50/p99 of a one-row INSERT committed on its own (autocommit), in ms. */
export async function measureInsert(
  url: string,
  count: number,
  warmup = 100,
): Promise<Summary | null> {
  const probe = await InsertProbe.open(url);
  try {
    const samples: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const ms = await probe.once();
      if (i >= warmup) samples.push(ms);
    }
    return summarize(samples);
  } finally {
    await probe.close();
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

/** A client of the echo server: each `once()` is one emit -> room broadcast -> receipt. */
class RoundTripProbe {
  private seq = 0;
  private waiting: { seq: number; resolve: () => void } | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('echoed', (seq: unknown) => {
      if (this.waiting && seq === this.waiting.seq) this.waiting.resolve();
    });
  }

  static async open(port: number): Promise<RoundTripProbe> {
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
    } catch (error) {
      socket.disconnect();
      throw error;
    }
    return new RoundTripProbe(socket);
  }

  /** ms from the emit to the broadcast's arrival; null when it did not come back within 2 s. */
  async once(): Promise<number | null> {
    const seq = this.seq++;
    let timer: NodeJS.Timeout | undefined;
    const t0 = process.hrtime.bigint();
    const received = new Promise<boolean>((resolve) => {
      this.waiting = { seq, resolve: () => resolve(true) };
      timer = setTimeout(() => resolve(false), 2000);
    });
    this.socket.emit('echo', seq);
    const ok = await received;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    clearTimeout(timer);
    this.waiting = null;
    return ok ? ms : null;
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** p50/p99 of emit -> server broadcast to the client's room -> receipt, one at a time, in ms. */
export async function measureSocketRoundTrip(
  port: number,
  count: number,
  warmup = 100,
): Promise<Summary | null> {
  const probe = await RoundTripProbe.open(port);
  try {
    const samples: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const ms = await probe.once();
      if (ms !== null && i >= warmup) samples.push(ms);
    }
    return summarize(samples);
  } finally {
    probe.close();
  }
}

export interface FloorSamples {
  insert: Summary | null;
  roundTrip: Summary | null;
}

/**
 * The floor again, but taken while a load runs: every `intervalMs` one bare INSERT
 * commit, then one bare Socket.IO round trip. What the machine itself gives a
 * ticket's two hops under that load, to set beside the ticket's own latency.
 */
export async function startFloorProbe(
  url: string,
  echoPort: number,
  intervalMs: number,
): Promise<{ stop(): Promise<FloorSamples> }> {
  const inserts = await InsertProbe.open(url);
  const trips = await RoundTripProbe.open(echoPort).catch(async (error: unknown) => {
    await inserts.close();
    throw error;
  });
  const insertMs: number[] = [];
  const tripMs: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const next = Date.now() + intervalMs;
      insertMs.push(await inserts.once());
      const trip = await trips.once();
      if (trip !== null) tripMs.push(trip);
      const wait = next - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return {
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        trips.close();
        await inserts.close();
      }
      return { insert: summarize(insertMs), roundTrip: summarize(tripMs) };
    },
  };
}
