import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router } from 'express';
import { requireRole } from '../auth/middleware.ts';

export const QUEUE_BOARD_PATH = '/admin/queues';

/** The BullMQ dashboard (bull-board), for admins only. */
export function queueBoardRouter(queues: Queue[]): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: adapter,
  });
  const router = Router();
  router.use(QUEUE_BOARD_PATH, (req, _res, next) => {
    requireRole(req.auth, ['ADMIN']);
    next();
  });
  router.use(QUEUE_BOARD_PATH, adapter.getRouter() as Router);
  return router;
}
