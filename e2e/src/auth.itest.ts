import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerRuntime, loadConfig } from '@gridline/server';
import { openSocket, startSystem, waitFor, type TestSystem } from './support/system.ts';

describe('sign-in, sessions and sockets', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
  });
  afterAll(() => system?.close());

  const login = (username: string, password: string, ip = '127.0.0.1') =>
    fetch(`${system.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ username, password }),
    });

  it('signs in with an httpOnly SameSite cookie and answers /api/me', async () => {
    const response = await login('dispatcher', 'demo1234');
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^gl_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await fetch(`${system.baseUrl}/api/me`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(await me.json()).toMatchObject({ user: { username: 'dispatcher', role: 'DISPATCHER' } });
  });

  it('refuses bad credentials with 401 and the error shape, and anonymous /api/me', async () => {
    const wrong = await login('dispatcher', 'nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password' },
    });
    expect((await login('nobody-here', 'demo1234')).status).toBe(401);
    expect((await fetch(`${system.baseUrl}/api/me`)).status).toBe(401);
    expect((await fetch(`${system.baseUrl}/api/tickets`)).status).toBe(401);
  });

  it('rate-limits repeated failures on one account', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++)
      statuses.push((await login('admin', 'wrong')).status);
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Even the right password waits out the window.
    expect((await login('admin', 'demo1234')).status).toBe(429);
  });

  it('refuses a socket without a session, and disconnects the sockets of a session that signs out', async () => {
    await expect(openSocket(system.baseUrl, {})).rejects.toThrow(/unauthorized/);
    await expect(openSocket(system.baseUrl, { cookie: 'gl_session=forged' })).rejects.toThrow(
      /unauthorized/,
    );

    const member = await system.login('member');
    const socket = await member.socket();
    let revoked = false;
    socket.on('session.revoked', () => {
      revoked = true;
    });
    const ownRoom = await socket.emitWithAck('room.join', `user:${member.user.id}`);
    expect(ownRoom).toEqual({ ok: true });
    expect(await socket.emitWithAck('room.join', `user:${member.user.id + 1}`)).toMatchObject({
      ok: false,
    });
    expect(await socket.emitWithAck('room.join', 'region:1')).toMatchObject({ ok: false });
    expect(await socket.emitWithAck('room.join', 'bogus')).toMatchObject({ ok: false });

    expect((await member.post('/api/auth/logout')).status).toBe(200);
    await waitFor(() => socket.disconnected, 5000, 'socket disconnected');
    expect(revoked).toBe(true);
    expect((await member.get('/api/me')).status).toBe(401);
  });

  it('reports not ready (503) when Redis does not answer, while /healthz stays 200', async () => {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: system.databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:6599',
      WEB_HANDLER: 'none',
      LOG_LEVEL: 'silent',
    });
    const broken = await createServerRuntime({ ...config, host: '127.0.0.1' });
    try {
      const port = await broken.listen(0);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ postgres: 'up', redis: 'down' });
    } finally {
      await broken.close();
    }
  });
});
