import { Router } from 'express';
import { z } from 'zod';
import { STAFF_TASK_ACTIONS, VOLUNTEER_TASK_ACTIONS, ticketIdParamSchema } from '@gridline/core';
import { parseOr400 } from '../http/errors.ts';
import { requireAuth } from '../auth/middleware.ts';
import type { TaskService } from './task-service.ts';

const taskIdSchema = z.coerce.number().int().positive().max(2_147_483_647);
const actionSchema = z.enum([...VOLUNTEER_TASK_ACTIONS, ...STAFF_TASK_ACTIONS]);

/**
 * Volunteer tasks. Mount before the tickets router: its `/tickets/:id/:action`
 * would take `/tickets/:id/ask-volunteers`.
 */
export function tasksRouter(deps: { tasks: TaskService }): Router {
  const router = Router();

  router.post('/tasks', async (req, res) => {
    const reply = await deps.tasks.create(req.body, {
      auth: req.auth,
      idempotencyKey: req.get('idempotency-key'),
    });
    res.status(reply.status).json(reply.body);
  });

  router.get('/tasks', async (req, res) => {
    res.json(await deps.tasks.list(requireAuth(req.auth), req.query));
  });

  router.get('/tasks/:id', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(taskIdSchema, req.params.id, 'task id');
    res.json(await deps.tasks.view(id, auth));
  });

  router.post('/tasks/:id/:action', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(taskIdSchema, req.params.id, 'task id');
    const action = parseOr400(actionSchema, req.params.action, 'action');
    res.json(await deps.tasks.act(id, action, auth, req.body));
  });

  router.get('/volunteers/me/tasks', async (req, res) => {
    res.json(await deps.tasks.myTasks(requireAuth(req.auth)));
  });

  router.post('/tickets/:id/ask-volunteers', async (req, res) => {
    const auth = requireAuth(req.auth);
    const id = parseOr400(ticketIdParamSchema, req.params.id, 'ticket id');
    const reply = await deps.tasks.askVolunteers(id, auth, req.body);
    res.status(reply.status).json(reply.body);
  });

  return router;
}
