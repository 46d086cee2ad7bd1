/**
 * The dispatcher's map under a city's load, in Chromium: `tickets` open
 * tickets inserted with SQL, `positions` grid members on duty reporting their
 * position through the API (and moving on while the page is measured), then
 * the city dispatcher's /dispatch is opened and its frame times are recorded
 * with requestAnimationFrame while the map is panned and zoomed.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type pg from 'pg';
import { chromium } from 'playwright-core';
import {
  BENCH_ADDRESS,
  BENCH_AGENT,
  createSessionsPerUser,
  deleteTickets,
  insertTickets,
} from './db.ts';
import type { MemberGrid } from './db.ts';
import { summarize, type Summary } from './stats.ts';

export interface FrameResult {
  tickets: number;
  markers: number;
  positions: number;
  /** Position reports sent while measuring. */
  reports: number;
  seconds: number;
  /** Milliseconds between animation frames. */
  frameMs: Summary | null;
  /** Frames longer than 50 ms (a visible stutter). */
  longFrames: number;
}

export interface FramePhaseOptions {
  pool: pg.Pool;
  port: number;
  sessionSecret: string;
  members: readonly MemberGrid[];
  dispatcherId: number;
  tickets: number;
  positions: number;
  seconds: number;
  runTag: string;
  log: (message: string) => void;
}

const FRAMES_ADDRESS = `${BENCH_ADDRESS} frames`;
const FRAMES_AGENT = `${BENCH_AGENT} frames`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function post(port: number, agent: http.Agent, path: string, cookie: string, body: unknown) {
  return new Promise<number>((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', cookie },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

export async function runFramePhase(options: FramePhaseOptions): Promise<FrameResult> {
  const { pool, port, log } = options;
  const gridIds = options.members.map((member) => member.gridId);
  const inserted = await insertTickets(pool, {
    count: options.tickets,
    address: FRAMES_ADDRESS,
    codePrefix: `${options.runTag}-f`,
    gridIds,
    acceptBy: { firstMs: Date.now() + 2 * 60 * 60_000, stepMs: 1 },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const movers = options.members.slice(0, options.positions);
  // Volunteers on duty make up the rest of the people on the map.
  const helpers = (
    await pool.query<{ userId: number; lat: number; lng: number }>(
      `SELECT v.user_id AS "userId", v.home_lat AS lat, v.home_lng AS lng
       FROM volunteers v JOIN users u ON u.id = v.user_id
       WHERE v.status = 'APPROVED' AND u.active AND v.home_lat IS NOT NULL
       ORDER BY v.user_id LIMIT $1`,
      [Math.max(0, options.positions - movers.length)],
    )
  ).rows;
  const sessions = await createSessionsPerUser(
    pool,
    options.sessionSecret,
    [
      ...movers.map((member) => member.userId),
      ...helpers.map((helper) => helper.userId),
      options.dispatcherId,
    ],
    1,
    FRAMES_AGENT,
  );
  const cookieOf = (userId: number) => `gl_session=${sessions.get(userId)?.[0] ?? ''}`;
  let reports = 0;
  const report = async (member: MemberGrid, step: number) => {
    const drift = (step % 20) * 0.00005;
    const status = await post(port, agent, '/api/members/me/location', cookieOf(member.userId), {
      lat: member.lat + drift,
      lng: member.lng + drift,
    });
    if (status === 200) reports++;
  };
  const reportHelper = async (
    helper: { userId: number; lat: number; lng: number },
    step: number,
  ) => {
    const drift = (step % 20) * 0.00005;
    const status = await post(port, agent, '/api/volunteers/me/location', cookieOf(helper.userId), {
      lat: helper.lat - drift,
      lng: helper.lng + drift,
    });
    if (status === 200) reports++;
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    log(
      `  ${inserted.count} open tickets; ${movers.length} members and ${helpers.length} volunteers going on duty…`,
    );
    for (let i = 0; i < movers.length; i += 50) {
      await Promise.all(
        movers.slice(i, i + 50).map(async (member) => {
          await post(port, agent, '/api/members/me/duty', cookieOf(member.userId), {
            onDuty: true,
          });
          await report(member, 0);
        }),
      );
    }
    for (let i = 0; i < helpers.length; i += 50) {
      await Promise.all(
        helpers.slice(i, i + 50).map(async (helper) => {
          await post(port, agent, '/api/volunteers/me/duty', cookieOf(helper.userId), {
            onDuty: true,
          });
          await reportHelper(helper, 0);
        }),
      );
    }
    // bypassCSP: the measuring scripts below are evaluated in the page, which its CSP forbids.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      bypassCSP: true,
    });
    await context.addCookies([
      {
        name: 'gl_session',
        value: sessions.get(options.dispatcherId)?.[0] ?? '',
        url: `http://127.0.0.1:${port}`,
      },
    ]);
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/dispatch`);
    const map = page.getByTestId('dispatch-map');
    // Scripts for the page are strings: this package is compiled without the DOM's types.
    await page.waitForFunction(
      `Number(document.querySelector('[data-testid="dispatch-map"]')` +
        `?.getAttribute('data-marker-count')) >= ${inserted.count}`,
      undefined,
      { timeout: 60_000 },
    );
    const markers = Number(await map.getAttribute('data-marker-count'));
    if (process.env.BENCH_FRAMES_PROFILE) {
      const elements = await page.evaluate<number>('document.getElementsByTagName("*").length');
      log(
        `  page: ${elements} elements, ${await map.getAttribute('data-cluster-count')} cluster bubbles`,
      );
    }
    log(`  /dispatch shows ${markers} tickets; measuring frames for ${options.seconds} s…`);

    // People keep moving while the page is measured: each reports about every 5 s.
    let moving = true;
    const mover = (async () => {
      for (let step = 1; moving; step++) {
        const started = Date.now();
        for (let i = 0; i < movers.length && moving; i += 40) {
          await Promise.all(movers.slice(i, i + 40).map((member) => report(member, step)));
        }
        for (let i = 0; i < helpers.length && moving; i += 40) {
          await Promise.all(helpers.slice(i, i + 40).map((helper) => reportHelper(helper, step)));
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, 5000 - (Date.now() - started))),
        );
      }
    })();
    const reportsBefore = reports;
    await page.evaluate(`(() => {
      const frames = [];
      let last = performance.now();
      const tick = (now) => {
        frames.push(now - last);
        last = now;
        if (!globalThis.stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      globalThis.frameTimes = frames;
    })()`);
    const profiler = process.env.BENCH_FRAMES_PROFILE ? await context.newCDPSession(page) : null;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.start');
      await browser.startTracing(page, { categories: ['devtools.timeline', 'blink', 'cc'] });
    }
    const box = await map.boundingBox();
    const until = Date.now() + options.seconds * 1000;
    for (let step = 0; Date.now() < until; step++) {
      if (box) {
        const x = box.x + box.width / 2;
        const y = box.y + box.height / 2;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + (step % 2 ? 120 : -120), y + 60, { steps: 12 });
        await page.mouse.up();
        await page.mouse.wheel(0, step % 4 < 2 ? -240 : 240);
      }
      await page.waitForTimeout(400);
    }
    const frames = await page.evaluate<number[]>(
      '(() => { globalThis.stopFrames = true; return globalThis.frameTimes ?? []; })()',
    );
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop');
      for (const line of hottestFunctions(profile, 25)) log(`  profile: ${line}`);
      const traceText = (await browser.stopTracing()).toString('utf8');
      if (process.env.BENCH_FRAMES_TRACE) writeFileSync(process.env.BENCH_FRAMES_TRACE, traceText);
      const trace = JSON.parse(traceText) as TraceFile;
      for (const line of busiestTraceEvents(trace, 25)) log(`  trace: ${line}`);
    }
    moving = false;
    await mover;
    const measured = frames.slice(1);
    return {
      tickets: inserted.count,
      markers,
      positions: movers.length + helpers.length,
      reports: reports - reportsBefore,
      seconds: options.seconds,
      frameMs: summarize(measured),
      longFrames: measured.filter((ms) => ms > 50).length,
    };
  } finally {
    await browser.close();
    await Promise.all(
      helpers.map((helper) =>
        post(port, agent, '/api/volunteers/me/duty', cookieOf(helper.userId), {
          onDuty: false,
        }).catch(() => 0),
      ),
    );
    agent.destroy();
    await deleteTickets(pool, FRAMES_ADDRESS, inserted.minId, inserted.maxId);
    await pool.query('DELETE FROM sessions WHERE user_agent = $1', [FRAMES_AGENT]);
  }
}

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }>;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time per function of a CDP CPU profile, largest first (BENCH_FRAMES_PROFILE=1). */
export function hottestFunctions(profile: CpuProfile, count: number): string[] {
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  samples.forEach((nodeId, index) => {
    selfMs.set(nodeId, (selfMs.get(nodeId) ?? 0) + (deltas[index] ?? 0) / 1000);
  });
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').pop() ?? '';
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${key}`);
}

interface TraceFile {
  traceEvents: Array<{
    name: string;
    ph: string;
    dur?: number;
    tid: number;
    pid: number;
    args?: { name?: string };
  }>;
}

/** Total duration per trace event name on the page's main thread, largest first. */
export function busiestTraceEvents(trace: TraceFile, count: number): string[] {
  const mainThreads = new Set(
    trace.traceEvents
      .filter((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}:${event.tid}`),
  );
  const total = new Map<string, number>();
  for (const event of trace.traceEvents) {
    if (event.ph !== 'X' || event.dur === undefined) continue;
    if (!mainThreads.has(`${event.pid}:${event.tid}`)) continue;
    total.set(event.name, (total.get(event.name) ?? 0) + event.dur / 1000);
  }
  return [...total.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${name}`);
}
