import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { describe, expect, it } from 'vitest';
import { constantSecurityHeaders } from './security-headers.ts';

async function headersFrom(middleware: RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.use(middleware);
  app.get('/x', (_req, res) => {
    res.json({ ok: true });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/x`);
    const headers = Object.fromEntries(response.headers);
    delete headers['date'];
    delete headers['etag'];
    return headers;
  } finally {
    server.close();
  }
}

const OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
};

describe('constantSecurityHeaders', () => {
  it('sets exactly the headers helmet sets, CSP included', async () => {
    const fromHelmet = await headersFrom(helmet(OPTIONS));
    const constant = await headersFrom(constantSecurityHeaders(OPTIONS));
    expect(constant).toEqual(fromHelmet);
    expect(constant['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(constant['x-powered-by']).toBeUndefined();
    expect(constant['strict-transport-security']).toMatch(/max-age=/);
  });

  it('follows the options: a header turned off is not sent', async () => {
    const headers = await headersFrom(
      constantSecurityHeaders({ ...OPTIONS, contentSecurityPolicy: false }),
    );
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a directive that depends on the request', () => {
    expect(() =>
      constantSecurityHeaders({
        contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-x'"] } },
      }),
    ).toThrow(/depends on the request/);
  });
});
