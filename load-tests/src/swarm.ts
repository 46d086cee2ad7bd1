/**
 * A swarm process: holds a share of the benchmark's Socket.IO connections to
 * the Gridline server, so that the driver's event loop stays free to send and
 * time requests. Receipt times of `ticket.assigned` on primary sockets go back
 * to the driver over IPC as process.hrtime.bigint() readings.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { loopDelayMs } from './stats.ts';
import { isMessage, type FromSwarm, type SwarmSocketSpec, type ToSwarm } from './protocol.ts';

const MAX_LIFETIME_MS = 60 * 60 * 1000;
const FLUSH_INTERVAL_MS = 20;
const FLUSH_BATCH = 500;
const MAX_ERRORS_KEPT = 5;

const sockets: Socket[] = [];
let receipts: Array<[number, string]> = [];
let deliveries = 0;
let dropped = 0;
let stopping = false;
const LOOP_RESOLUTION_MS = 2;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });

function send(message: FromSwarm): void {
  if (process.connected) process.send?.(message);
}

function flush(): void {
  if (receipts.length === 0) return;
  const items = receipts;
  receipts = [];
  send({ type: 'receipts', items });
}

function ticketIdOf(payload: unknown): number | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const ticket = (payload as { ticket?: unknown }).ticket;
  if (typeof ticket !== 'object' || ticket === null) return null;
  const id = (ticket as { id?: unknown }).id;
  return typeof id === 'number' ? id : null;
}

function connectOne(url: string, spec: SwarmSocketSpec, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { cookie: spec.cookie },
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    let settled = false;
    const settle = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== null) socket.close();
      resolve(error);
    };
    const timer = setTimeout(() => settle('connect timeout'), timeoutMs);
    socket.on('ticket.assigned', (payload: unknown) => {
      const at = process.hrtime.bigint();
      deliveries++;
      if (!spec.primary) return;
      const id = ticketIdOf(payload);
      if (id === null) return;
      receipts.push([id, at.toString()]);
      if (receipts.length >= FLUSH_BATCH) flush();
    });
    socket.once('connect', () => {
      sockets.push(socket);
      socket.on('disconnect', () => {
        if (!stopping) dropped++;
      });
      settle(null);
    });
    socket.once('connect_error', (error: Error) => settle(error.message || 'connect_error'));
  });
}

async function connectAll(message: Extract<ToSwarm, { type: 'connect' }>): Promise<void> {
  const started = Date.now();
  const queue = [...message.sockets];
  let connected = 0;
  let failed = 0;
  const errors = new Set<string>();
  const primaryUserIds: number[] = [];
  const progress = setInterval(() => send({ type: 'progress', connected, failed }), 1000);
  const total = message.sockets.length;
  let nextIndex = 0;
  const lane = async () => {
    for (let spec = queue.shift(); spec !== undefined && !stopping; spec = queue.shift()) {
      // Connections spread evenly: their heartbeats stay spread, as a real population's are.
      const dueAt = started + (nextIndex++ * message.spreadMs) / total;
      if (dueAt > Date.now())
        await new Promise((resolve) => setTimeout(resolve, dueAt - Date.now()));
      const error = await connectOne(message.url, spec, message.timeoutMs);
      if (error === null) {
        connected++;
        if (spec.primary) primaryUserIds.push(spec.userId);
      } else {
        failed++;
        if (errors.size < MAX_ERRORS_KEPT) errors.add(error);
      }
    }
  };
  const lanes = Math.max(1, Math.min(message.concurrency, message.sockets.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  clearInterval(progress);
  send({
    type: 'connected',
    connected,
    failed,
    errors: [...errors],
    seconds: (Date.now() - started) / 1000,
    primaryUserIds,
  });
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  flush();
  for (const socket of sockets) socket.disconnect();
  sockets.length = 0;
  // Give the close frames a moment to leave, then go.
  setTimeout(() => process.exit(0), 300).unref();
}

process.on('message', (message: unknown) => {
  if (!isMessage<ToSwarm>(message)) return;
  switch (message.type) {
    case 'connect':
      void connectAll(message);
      break;
    case 'mark':
      deliveries = 0;
      dropped = 0;
      loopDelay.reset();
      loopDelay.enable();
      break;
    case 'report': {
      flush();
      const p99 =
        loopDelay.count > 0 ? loopDelayMs(loopDelay.percentile(99), LOOP_RESOLUTION_MS) : null;
      send({ type: 'stats', deliveries, dropped, loopDelayP99Ms: p99 });
      break;
    }
    case 'stop':
      stop();
      break;
  }
});
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(flush, FLUSH_INTERVAL_MS).unref();
setTimeout(stop, MAX_LIFETIME_MS).unref();
send({ type: 'ready' });
