import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkersRuntime, type WorkersRuntime } from '@gridline/workers';
import { loadConfig } from '@gridline/server';
import { eventually, startSystem, type TestSystem } from './support/system.ts';
import { freePort } from './support/processes.ts';

describe('operating it', () => {
  let system: TestSystem;
  let workers: WorkersRuntime;
  let workersMetricsUrl: string;

  beforeAll(async () => {
    system = await startSystem({ workers: false, timeScale: 600 });
    const port = await freePort();
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: system.databaseUrl,
      REDIS_PREFIX: system.redisPrefix,
      TIME_SCALE: '600',
      LOG_LEVEL: 'silent',
    });
    workers = await createWorkersRuntime({
      ...config,
      concurrency: 5,
      reconcileIntervalMs: 30_000,
      metricsPort: port,
    });
    workersMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  });
  afterAll(async () => {
    await workers?.close();
    await system?.close();
  });

  it('exposes Prometheus metrics: HTTP by route, intake-to-push, sockets, queue depths, timer lateness', async () => {
    const member = await system.login('member');
    await member.socket();
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const created = await member.post('/api/tickets', {
      categoryCode: 'NOISE',
      priority: 'URGENT',
      description: '指标测试',
      location: grid.body.region.centroid,
    });
    expect(created.status).toBe(201);
    const server = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(server).toMatch(
      /gridline_http_request_duration_seconds_count\{route="\/api\/tickets",method="POST",status="201"\} 1/,
    );
    expect(server).toMatch(/gridline_intake_to_push_seconds_count 1/);
    expect(server).toMatch(/gridline_sockets_connected [1-9]/);
    expect(server).toMatch(/gridline_queue_jobs\{queue="ticket-timers",state="delayed"\} [1-9]/);
    // The urgent accept deadline (5 min / 600 = 0.5 s) passes and the workers escalate.
    const text = await eventually(
      async () => {
        const body = await (await fetch(workersMetricsUrl)).text();
        return /gridline_timer_outcomes_total\{kind="accept-deadline",outcome="escalated"\} [1-9]/.test(
          body,
        )
          ? body
          : undefined;
      },
      10_000,
      'an escalation in the workers metrics',
    );
    expect(text).toMatch(
      /gridline_timer_lateness_seconds_bucket\{le="1",kind="accept-deadline"\} [1-9]/,
    );
  });

  it('shows the queue dashboard to admins only', async () => {
    expect((await fetch(`${system.baseUrl}/admin/queues`)).status).toBe(401);
    const dispatcher = await system.login('dispatcher');
    expect(
      (await fetch(`${system.baseUrl}/admin/queues`, { headers: { cookie: dispatcher.cookie } }))
        .status,
    ).toBe(403);
    const admin = await system.login('admin');
    const page = await fetch(`${system.baseUrl}/admin/queues`, {
      headers: { cookie: admin.cookie },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await fetch(`${system.baseUrl}/admin/queues/api/queues`, {
      headers: { cookie: admin.cookie },
    });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('ticket-timers');
  });

  it('answers the API with security headers and a CSP that forbids framing', async () => {
    for (const path of ['/api/tickets', '/api/no-such-route']) {
      const response = await fetch(`${system.baseUrl}${path}`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self' ws: wss:");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });
});
