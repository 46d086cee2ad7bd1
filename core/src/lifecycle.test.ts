import { describe, expect, it } from 'vitest';
import {
  TICKET_ACTIONS,
  TRANSITIONS,
  actionBodySchemas,
  allowedActions,
  canTransition,
  relationsOf,
} from './lifecycle.ts';
import { TICKET_STATUSES } from './tickets.ts';

describe('the ticket state machine', () => {
  it('walks the closed loop: accept, start, pend, resume, resolve, verify, close, reopen', () => {
    const path = [
      ['accept', 'ASSIGNED'],
      ['start', 'ACCEPTED'],
      ['pend', 'IN_PROGRESS'],
      ['resume', 'PENDING'],
      ['resolve', 'IN_PROGRESS'],
      ['verify', 'RESOLVED'],
      ['close', 'VERIFIED'],
      ['reopen', 'CLOSED'],
      ['accept', 'REOPENED'],
    ] as const;
    for (const [action, from] of path)
      expect(canTransition(action, from), `${action} from ${from}`).toBe(true);
  });

  it('refuses what the loop forbids', () => {
    expect(canTransition('resolve', 'ASSIGNED')).toBe(false);
    expect(canTransition('resolve', 'PENDING')).toBe(false);
    expect(canTransition('accept', 'ACCEPTED')).toBe(false);
    expect(canTransition('close', 'IN_PROGRESS')).toBe(false);
    expect(canTransition('reopen', 'IN_PROGRESS')).toBe(false);
    expect(canTransition('rate', 'ACCEPTED')).toBe(false);
    for (const action of TICKET_ACTIONS) {
      expect(canTransition(action, 'CANCELLED'), action).toBe(false);
      expect(canTransition(action, 'DUPLICATE'), action).toBe(action === 'unmerge');
    }
  });

  it('only moves to known statuses', () => {
    for (const action of TICKET_ACTIONS) {
      const { to, from } = TRANSITIONS[action];
      if (to !== null) expect(TICKET_STATUSES).toContain(to);
      for (const status of from) expect(TICKET_STATUSES).toContain(status);
    }
  });

  it('derives who may act from role, assignment, scope and authorship', () => {
    const member = relationsOf({
      role: 'GRID_MEMBER',
      isAssignee: true,
      inScope: true,
      isReporter: false,
    });
    expect(allowedActions('ASSIGNED', member)).toEqual(['accept']);
    expect(allowedActions('IN_PROGRESS', member)).toEqual(['pend', 'resolve']);
    const community = relationsOf({
      role: 'COMMUNITY_STAFF',
      isAssignee: false,
      inScope: true,
      isReporter: false,
    });
    expect(allowedActions('ASSIGNED', community)).toEqual(['assign', 'escalate', 'merge']);
    expect(allowedActions('RESOLVED', community)).toEqual(['verify', 'close', 'reopen']);
    const dispatcher = relationsOf({
      role: 'DISPATCHER',
      isAssignee: false,
      inScope: true,
      isReporter: false,
    });
    expect(allowedActions('ACCEPTED', dispatcher)).toEqual([
      'assign',
      'transfer',
      'escalate',
      'cancel',
      'merge',
    ]);
    const outsider = relationsOf({
      role: 'DISPATCHER',
      isAssignee: false,
      inScope: false,
      isReporter: false,
    });
    expect(allowedActions('ASSIGNED', outsider)).toEqual([]);
    const resident = relationsOf({
      role: 'RESIDENT',
      isAssignee: false,
      inScope: false,
      isReporter: true,
    });
    expect(allowedActions('RESOLVED', resident)).toEqual(['reopen', 'rate']);
    expect(allowedActions('ASSIGNED', resident)).toEqual([]);
  });

  it('validates action bodies', () => {
    expect(actionBodySchemas.pend.safeParse({}).success).toBe(false);
    expect(actionBodySchemas.pend.safeParse({ reason: '等待居民在家' }).success).toBe(true);
    expect(actionBodySchemas.resolve.safeParse({ note: ' ' }).success).toBe(false);
    expect(actionBodySchemas.rate.safeParse({ rating: 'OK' }).success).toBe(false);
    expect(actionBodySchemas.assign.safeParse({ assigneeId: -3 }).success).toBe(false);
    expect(actionBodySchemas.accept.safeParse({ version: 2, extra: 1 }).success).toBe(false);
  });
});
