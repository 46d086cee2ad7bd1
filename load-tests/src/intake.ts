/** Posts tickets at a fixed (open-model) rate and records when each was sent. */
import http from 'node:http';
import { BENCH_ADDRESS } from './db.ts';
import { dueAtNs, dueCount, type IntakeMatcher } from './matcher.ts';

export interface IntakeTarget {
  gridId: number;
  userId: number;
  lat: number;
  lng: number;
}

export interface PhaseOptions {
  port: number;
  agent: http.Agent;
  targets: readonly IntakeTarget[];
  /** Index of the first target, so phases continue the rotation. */
  firstTarget: number;
  rate: number;
  seconds: number;
  measured: boolean;
  matcher: IntakeMatcher;
  /** Longest wait for outstanding responses after the last send. */
  drainMs: number;
  requestTimeoutMs: number;
}

export interface PhaseResult {
  planned: number;
  sent: number;
  created: number;
  httpErrors: number;
  wrongAssignee: number;
  /** ms, per created ticket. */
  httpMs: number[];
  /** ms behind schedule, per request. */
  sendLagMs: number[];
  errorSamples: string[];
  /** From the start to the last send. */
  sendSeconds: number;
  /** From the start to the last response (or the end of the drain wait). */
  elapsedSeconds: number;
}

const MAX_ERROR_SAMPLES = 5;

export function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  const planned = Math.max(0, Math.round(options.rate * options.seconds));
  const result: PhaseResult = {
    planned,
    sent: 0,
    created: 0,
    httpErrors: 0,
    wrongAssignee: 0,
    httpMs: [],
    sendLagMs: [],
    errorSamples: [],
    sendSeconds: 0,
    elapsedSeconds: 0,
  };
  if (planned === 0 || options.targets.length === 0) return Promise.resolve(result);

  const noteError = (text: string) => {
    result.httpErrors++;
    if (result.errorSamples.length < MAX_ERROR_SAMPLES) result.errorSamples.push(text);
  };
  let outstanding = 0;
  const start = process.hrtime.bigint();

  const sendOne = (k: number) => {
    const target = options.targets[(options.firstTarget + k) % options.targets.length]!;
    const body = JSON.stringify({
      categoryCode: 'NOISE',
      description: 'Benchmark ticket: loud music at night',
      location: { lat: target.lat, lng: target.lng },
      address: `${BENCH_ADDRESS} ${options.measured ? 'measured' : 'warm-up'} #${k}`,
    });
    outstanding++;
    result.sent++;
    const sentNs = process.hrtime.bigint();
    result.sendLagMs.push(Number(sentNs - start - dueAtNs(k, options.rate)) / 1e6);
    const request = http.request(
      {
        agent: options.agent,
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path: '/api/tickets',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: options.requestTimeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          outstanding--;
          const httpMs = Number(process.hrtime.bigint() - sentNs) / 1e6;
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 201) {
            noteError(`${response.statusCode}: ${text.slice(0, 200)}`);
            return;
          }
          const ticket = parseTicket(text);
          if (!ticket) {
            noteError(`201 without a ticket: ${text.slice(0, 200)}`);
            return;
          }
          result.created++;
          result.httpMs.push(httpMs);
          if (ticket.assigneeId !== target.userId) result.wrongAssignee++;
          options.matcher.markSent(
            ticket.id,
            sentNs,
            options.measured && ticket.assigneeId === target.userId,
          );
        });
        response.on('error', (error) => {
          outstanding--;
          noteError(error.message);
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('request timeout')));
    request.on('error', (error) => {
      outstanding--;
      noteError(error.message);
    });
    request.end(body);
  };

  return new Promise((resolve) => {
    let next = 0;
    const finish = () => {
      result.elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      resolve(result);
    };
    const drain = () => {
      const deadline = Date.now() + options.drainMs;
      const poll = () => {
        if (outstanding <= 0 || Date.now() >= deadline) finish();
        else setTimeout(poll, 10);
      };
      poll();
    };
    const tick = () => {
      const now = process.hrtime.bigint();
      const due = dueCount(now - start, options.rate, planned);
      while (next < due) sendOne(next++);
      if (next >= planned) {
        result.sendSeconds = Number(process.hrtime.bigint() - start) / 1e9;
        drain();
        return;
      }
      const waitNs = start + dueAtNs(next, options.rate) - process.hrtime.bigint();
      setTimeout(tick, Math.max(0, Number(waitNs) / 1e6));
    };
    tick();
  });
}

function parseTicket(text: string): { id: number; assigneeId: number | null } | null {
  try {
    const body = JSON.parse(text) as { ticket?: { id?: unknown; assigneeId?: unknown } };
    const id = body.ticket?.id;
    const assigneeId = body.ticket?.assigneeId;
    if (typeof id !== 'number') return null;
    return { id, assigneeId: typeof assigneeId === 'number' ? assigneeId : null };
  } catch {
    return null;
  }
}
