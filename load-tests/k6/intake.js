/* global __ENV, open */
/**
 * Gridline intake scenario for k6 — the same scenario and defaults as
 * `npm run bench` (load-tests/src/bench.ts); see load-tests/README.md.
 *
 * BENCH_SOCKETS sockets (5000) of grid members, spread over the members'
 * sessions, hold Socket.IO connections; then tickets are posted at
 * BENCH_RATE/s (200) for BENCH_SECONDS (20) after BENCH_WARMUP_SECONDS (3) of
 * warm-up, each at the centroid of a grid whose member has a socket. The
 * intake latency is the time from sending the POST to that member's first
 * socket receiving `ticket.assigned` for the ticket.
 *
 * k6 has no Socket.IO client, so this speaks engine.io v4 over k6/websockets:
 * open `/socket.io/?EIO=4&transport=websocket` with the session cookie,
 * answer the open packet `0{...}` with `40` (connect to namespace "/"),
 * receive events as `42["ticket.assigned",{...}]`, and answer ping `2` with
 * pong `3`. VUs share no memory, so the POST carries its send time in the
 * ticket's address (`... sent=<ms>`), which every pushed summary repeats.
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:3000 -e SESSIONS_FILE=/tmp/gridline-k6-sessions.json load-tests/k6/intake.js
 *
 * SESSIONS_FILE comes from load-tests/src/k6-sessions.ts (sessions minted in
 * the database; see the README). Without it, setup() signs in as at most
 * LOGIN_MEMBERS (50) grid members `gm-<grid code>` (logins are limited to 60
 * per address per 15 minutes), which makes a smaller scenario.
 */
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';
import { setTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';

function intEnv(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const WS_URL = `${BASE_URL.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
const SOCKETS = intEnv('BENCH_SOCKETS', 5000);
const RATE = intEnv('BENCH_RATE', 200);
const SECONDS = intEnv('BENCH_SECONDS', 20);
const WARMUP_SECONDS = intEnv('BENCH_WARMUP_SECONDS', 3);
const SOCKETS_PER_VU = intEnv('SOCKETS_PER_VU', 100);
const CONNECT_SECONDS = intEnv('CONNECT_SECONDS', 30);
const LOGIN_MEMBERS = intEnv('LOGIN_MEMBERS', 50);
const PASSWORD = __ENV.DEMO_PASSWORD || 'demo1234';
const DRAIN_SECONDS = 5;
const ADDRESS = 'gridline-bench k6';

const WARMUP_START = CONNECT_SECONDS;
const INTAKE_START = WARMUP_START + WARMUP_SECONDS + 1;
const HOLD_UNTIL_MS = (INTAKE_START + SECONDS + DRAIN_SECONDS) * 1000;
const SOCKET_VUS = Math.ceil(SOCKETS / SOCKETS_PER_VU);
const POST_VUS = Math.max(10, Math.ceil(RATE / 10));

const sessionsFile = __ENV.SESSIONS_FILE ? JSON.parse(open(__ENV.SESSIONS_FILE)) : null;

const intakeLatency = new Trend('intake_latency', true);
const deliveries = new Counter('intake_deliveries');
const created = new Counter('intake_created');
const wrongAssignee = new Counter('intake_wrong_assignee');
const socketsConnected = new Counter('sockets_connected');
const socketErrors = new Counter('socket_errors');

function postScenario(startSeconds, duration, phase) {
  return {
    executor: 'constant-arrival-rate',
    exec: 'postTicket',
    rate: RATE,
    timeUnit: '1s',
    duration: `${duration}s`,
    startTime: `${startSeconds}s`,
    preAllocatedVUs: POST_VUS,
    maxVUs: POST_VUS * 4,
    tags: { phase },
  };
}

export const options = {
  setupTimeout: '120s',
  scenarios: {
    sockets: {
      executor: 'per-vu-iterations',
      exec: 'holdSockets',
      vus: SOCKET_VUS,
      iterations: 1,
      maxDuration: `${HOLD_UNTIL_MS / 1000 + 30}s`,
    },
    warmup: postScenario(WARMUP_START, WARMUP_SECONDS, 'warmup'),
    intake: postScenario(INTAKE_START, SECONDS, 'measured'),
  },
  // Goals from DESIGN.md "Targets". Unlike `npm run bench`, k6 exits non-zero when one is missed.
  thresholds: {
    'intake_latency{phase:measured}': ['p(99)<=20'],
    'http_req_failed{phase:measured}': ['rate==0'],
  },
  summaryTrendStats: ['count', 'min', 'med', 'p(95)', 'p(99)', 'max'],
};

/** Sessions of grid members, each with the grids they answer for. */
export function setup() {
  if (sessionsFile) return { sessions: sessionsFile.sessions.slice(0, SOCKETS) };
  const login = (username) =>
    http.post(`${BASE_URL}/api/auth/login`, JSON.stringify({ username, password: PASSWORD }), {
      headers: { 'content-type': 'application/json' },
    });
  const dispatcher = login(__ENV.DISPATCHER_USERNAME || 'dispatcher');
  if (dispatcher.status !== 200)
    throw new Error(`dispatcher login: ${dispatcher.status} ${dispatcher.body}`);
  const regions = http.get(`${BASE_URL}/api/regions?level=GRID`);
  if (regions.status !== 200) throw new Error(`GET /api/regions: ${regions.status}`);
  const grids = regions.json('regions').filter((grid) => grid.centroid);
  const sessions = [];
  for (const grid of grids.slice(0, Math.min(LOGIN_MEMBERS, SOCKETS))) {
    const response = login(`gm-${grid.code}`);
    const cookie = response.cookies.gl_session && response.cookies.gl_session[0];
    if (response.status !== 200 || !cookie) {
      console.warn(`login gm-${grid.code}: ${response.status}`);
      continue;
    }
    sessions.push({
      userId: response.json('user.id'),
      cookie: `gl_session=${cookie.value}`,
      grids: [{ id: grid.id, lat: grid.centroid.lat, lng: grid.centroid.lng }],
    });
  }
  if (sessions.length === 0) throw new Error('no grid member could sign in');
  return { sessions };
}

/** One VU holds SOCKETS_PER_VU sockets; socket i uses session i % sessions, and the first socket of each session is its primary. */
export function holdSockets(data) {
  const { sessions } = data;
  const first = (exec.vu.idInTest - 1) * SOCKETS_PER_VU;
  const count = Math.min(SOCKETS_PER_VU, SOCKETS - first);
  for (let local = 0; local < count; local++) {
    const index = first + local;
    const session = sessions[index % sessions.length];
    const primary = index < sessions.length;
    // Spread the handshakes over most of the connect window.
    const openAfter = Math.floor((local / Math.max(1, count)) * CONNECT_SECONDS * 800);
    setTimeout(() => openSocket(session, primary), openAfter);
  }
}

function openSocket(session, primary) {
  const holdMs = HOLD_UNTIL_MS - exec.instance.currentTestRunDuration;
  if (holdMs <= 0) return;
  const ws = new WebSocket(WS_URL, null, { headers: { Cookie: session.cookie } });
  ws.onmessage = (event) => {
    const packet = String(event.data);
    if (packet === '2') {
      ws.send('3');
    } else if (packet.startsWith('0')) {
      ws.send('40');
    } else if (packet.startsWith('40')) {
      socketsConnected.add(1);
    } else if (packet.startsWith('44')) {
      socketErrors.add(1, { reason: 'refused' });
      ws.close();
    } else if (packet.startsWith('42')) {
      onEvent(packet, session, primary);
    }
  };
  ws.onerror = () => socketErrors.add(1, { reason: 'error' });
  setTimeout(() => ws.close(), holdMs);
}

function onEvent(packet, session, primary) {
  const receivedAt = Date.now();
  let name;
  let payload;
  try {
    [name, payload] = JSON.parse(packet.slice(2));
  } catch {
    return;
  }
  if (name !== 'ticket.assigned' || !payload || !payload.ticket) return;
  deliveries.add(1);
  if (!primary || payload.ticket.assigneeId !== session.userId) return;
  const match = /^gridline-bench k6 (measured|warmup) sent=(\d+)$/.exec(
    payload.ticket.address || '',
  );
  if (!match) return;
  intakeLatency.add(receivedAt - Number(match[2]), { phase: match[1] });
}

/** One ticket at the centroid of the next grid in rotation. */
export function postTicket(data) {
  const { sessions } = data;
  const k = exec.scenario.iterationInTest;
  const session = sessions[k % sessions.length];
  const grid = session.grids[Math.floor(k / sessions.length) % session.grids.length];
  const phase = exec.scenario.name === 'intake' ? 'measured' : 'warmup';
  const sentAt = Date.now();
  const response = http.post(
    `${BASE_URL}/api/tickets`,
    JSON.stringify({
      categoryCode: 'NOISE',
      description: 'Benchmark ticket: loud music at night',
      location: { lat: grid.lat, lng: grid.lng },
      address: `${ADDRESS} ${phase} sent=${sentAt}`,
    }),
    { headers: { 'content-type': 'application/json' }, timeout: '10s' },
  );
  const ok = check(response, { 'ticket created': (r) => r.status === 201 });
  if (!ok) return;
  created.add(1);
  if (response.json('ticket.assigneeId') !== session.userId) wrongAssignee.add(1);
}
