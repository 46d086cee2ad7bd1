import { Router } from 'express';
import type { PrismaClient } from '@gridline/db';
import type { Redis } from 'ioredis';

async function answers(check: () => Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: {
  prisma: PrismaClient;
  redis: Redis;
  isShuttingDown: () => boolean;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [postgres, redis] = await Promise.all([
      answers(() => deps.prisma.$queryRaw`SELECT 1`, 2000),
      answers(() => deps.redis.ping(), 2000),
    ]);
    const ready = postgres && redis && !deps.isShuttingDown();
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'unavailable',
      postgres: postgres ? 'up' : 'down',
      redis: redis ? 'up' : 'down',
      ...(deps.isShuttingDown() ? { shuttingDown: true } : {}),
    });
  });
  return router;
}
