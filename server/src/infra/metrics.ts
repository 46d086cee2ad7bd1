import { Router } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TicketChange } from '@gridline/db';
import type { Server } from 'socket.io';
import type { Queue } from 'bullmq';
import { requireRole } from '../auth/middleware.ts';

/** Prometheus metrics of the server process, served at /metrics. */
export class Metrics {
  readonly registry = new Registry();
  private readonly http = new Histogram({
    name: 'gridline_http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly intake = new Histogram({
    name: 'gridline_intake_to_push_seconds',
    help: 'From ticket creation (row createdAt) to the push leaving this process',
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly pushed = new Counter({
    name: 'gridline_events_pushed_total',
    help: 'Ticket events pushed to sockets',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeHttp(route: string, method: string, status: number, seconds: number): void {
    this.http.observe({ route, method, status: String(status) }, seconds);
  }

  observeIntake(change: TicketChange): void {
    for (const event of change.events) {
      this.pushed.inc({ type: event.type });
      if (event.type === 'ticket.created') {
        this.intake.observe((Date.now() - Date.parse(change.ticket.createdAt)) / 1000);
      }
    }
  }

  trackSockets(io: Server): void {
    new Gauge({
      name: 'gridline_sockets_connected',
      help: 'Sockets connected to this process',
      registers: [this.registry],
      collect() {
        this.set(io.engine.clientsCount);
      },
    });
  }

  trackQueue(queue: Queue): void {
    new Gauge({
      name: 'gridline_queue_jobs',
      help: 'Timer jobs by state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts('delayed', 'waiting', 'active', 'failed');
        for (const [state, count] of Object.entries(counts))
          this.set({ queue: queue.name, state }, count);
      },
    });
  }

  router(): Router {
    const router = Router();
    router.get('/metrics', async (req, res) => {
      // Loopback scrapers need no session; anyone else must be an admin.
      const local =
        req.socket.remoteAddress === '127.0.0.1' ||
        req.socket.remoteAddress === '::1' ||
        req.socket.remoteAddress === '::ffff:127.0.0.1';
      if (!local) requireRole(req.auth, ['ADMIN']);
      res.type(this.registry.contentType).send(await this.registry.metrics());
    });
    return router;
  }
}
