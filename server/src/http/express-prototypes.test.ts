import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { ExpressPrototypes } from './express-prototypes.ts';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(prototypes: ExpressPrototypes, app: express.Express) {
  const seen: { bornWithAppPrototype: boolean }[] = [];
  server = createServer({
    IncomingMessage: prototypes.IncomingMessage,
    ServerResponse: prototypes.ServerResponse,
  });
  // Before Express takes the request, as the server's other listeners do.
  server.on('request', (req: IncomingMessage) => {
    seen.push({ bornWithAppPrototype: Object.getPrototypeOf(req) === app.request });
  });
  server.on('request', app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { seen, url: `http://127.0.0.1:${port}` };
}

describe('ExpressPrototypes', () => {
  it('gives requests and responses the app prototypes before Express sees them', async () => {
    const prototypes = new ExpressPrototypes();
    const app = express();
    prototypes.adoptBy(app);
    app.get('/echo', (req, res) => {
      res.status(201).json({
        header: req.get('x-probe'),
        query: req.query['q'],
        sameApp: req.app === app && res.app === app,
        requestPrototype: Object.getPrototypeOf(req) === app.request,
        responsePrototype: Object.getPrototypeOf(res) === app.response,
      });
    });
    const { seen, url } = await listen(prototypes, app);

    const response = await fetch(`${url}/echo?q=42`, { headers: { 'x-probe': 'yes' } });

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      header: 'yes',
      query: '42',
      sameApp: true,
      requestPrototype: true,
      responsePrototype: true,
    });
    expect(seen).toEqual([{ bornWithAppPrototype: true }]);
  });

  it('keeps Express working for requests that arrive before the app adopts them', async () => {
    const prototypes = new ExpressPrototypes();
    const app = express();
    app.get('/late', (req, res) => res.json({ header: req.get('x-probe') }));
    const { seen, url } = await listen(prototypes, app);

    const response = await fetch(`${url}/late`, { headers: { 'x-probe': 'early' } });

    expect(await response.json()).toEqual({ header: 'early' });
    expect(seen).toEqual([{ bornWithAppPrototype: false }]);
  });

  it('answers unknown routes and thrown errors through Express as before', async () => {
    const prototypes = new ExpressPrototypes();
    const app = express();
    prototypes.adoptBy(app);
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use(
      (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).json({ error: error.message });
      },
    );
    const { url } = await listen(prototypes, app);

    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    const failed = await fetch(`${url}/boom`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'boom' });
  });
});
