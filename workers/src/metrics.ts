import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the workers process: timer lateness and outcomes. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly lateness = new Histogram({
    name: 'gridline_timer_lateness_seconds',
    help: 'How late a deadline timer ran after its due time',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    registers: [this.registry],
  });
  private readonly outcomes = new Counter({
    name: 'gridline_timer_outcomes_total',
    help: 'Timer jobs by kind and outcome (escalated, reminded, closed, stale)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observe(kind: string, lateMs: number, outcome: string): void {
    this.lateness.observe({ kind }, Math.max(0, lateMs) / 1000);
    this.outcomes.inc({ kind, outcome });
  }

  /** Serves /metrics on 127.0.0.1:`port` for a local scraper. */
  listen(port: number): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  }
}
