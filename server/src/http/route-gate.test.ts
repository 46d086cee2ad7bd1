import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router, type RequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { firstSegmentsOf, gatedBySegment } from './route-gate.ts';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The router, counting the requests that entered it. */
function counted(router: Router): { router: Router; entered: () => number } {
  let entered = 0;
  const entry: RequestHandler = (req, res, next) => {
    entered++;
    router(req, res, next);
  };
  return {
    router: Object.assign(entry, { stack: router.stack }) as unknown as Router,
    entered: () => entered,
  };
}

describe('routers gated by the first segment of the path', () => {
  it('reads the first segments of routes, of routers inside routers and of mounted paths', () => {
    const tickets = Router();
    tickets.get('/tickets', (_req, res) => void res.end());
    tickets.post('/tickets/:id/:action', (_req, res) => void res.end());
    tickets.get('/Devices/:id', (_req, res) => void res.end());
    const outer = Router();
    outer.use(tickets);
    outer.use('/admin/queues', (_req, res) => void res.end());
    expect(firstSegmentsOf(outer.stack)).toEqual(new Set(['/tickets', '/devices', '/admin']));

    const everywhere = Router();
    everywhere.get('/stats', (_req, res) => void res.end());
    everywhere.use((_req, _res, next) => next());
    expect(firstSegmentsOf(everywhere.stack)).toBeNull();

    const pattern = Router();
    pattern.get('/:code', (_req, res) => void res.end());
    expect(firstSegmentsOf(pattern.stack)).toBeNull();
  });

  it('enters a router only for its own paths, without case, and answers as before', async () => {
    const regionsRouter = Router();
    regionsRouter.get('/regions/:id', (req, res) => void res.json({ region: req.params['id'] }));
    const regions = counted(regionsRouter);
    const ticketsRouter = Router();
    ticketsRouter.post('/tickets', (_req, res) => void res.status(201).json({ ok: true }));
    ticketsRouter.get('/tickets/:id', (req, res) => void res.json({ ticket: req.params['id'] }));
    const tickets = counted(ticketsRouter);
    const anyPathRouter = Router();
    anyPathRouter.use((req, res, next) =>
      req.path === '/anything' ? void res.json({ any: true }) : next(),
    );
    const anyPath = counted(anyPathRouter);

    const app = express();
    const api = Router();
    for (const router of [regions.router, anyPath.router, tickets.router])
      api.use(gatedBySegment(router));
    api.use((req, res) => void res.status(404).json({ path: req.path }));
    app.use('/api', api);
    const url = await listen(app);

    const posted = await fetch(`${url}/api/tickets`, { method: 'POST' });
    expect(posted.status).toBe(201);
    expect(await (await fetch(`${url}/api/TICKETS/7`)).json()).toEqual({ ticket: '7' });
    expect(await (await fetch(`${url}/api/regions/3/`)).json()).toEqual({ region: '3' });
    expect(await (await fetch(`${url}/api/anything`)).json()).toEqual({ any: true });
    const missing = await fetch(`${url}/api/ticketsx`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ path: '/ticketsx' });

    // Each gated router saw only its own requests; the one for any path saw every
    // request that reached it (all but the one the regions router answered first).
    expect(regions.entered()).toBe(1);
    expect(tickets.entered()).toBe(2);
    expect(anyPath.entered()).toBe(4);
  });
});
