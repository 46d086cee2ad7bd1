import { describe, expect, it } from 'vitest';
import {
  notificationPreferencesSchema,
  progressMessage,
  progressSms,
  progressStepOf,
  pushSubscriptionSchema,
  wants,
} from './notifications.ts';

describe('notifications', () => {
  it('tells reporters the public steps only', () => {
    expect(progressStepOf({ type: 'ticket.accepted', data: {} })).toBe('accepted');
    expect(progressStepOf({ type: 'ticket.resolved', data: { note: 'x' } })).toBe('resolved');
    expect(progressStepOf({ type: 'ticket.escalated', data: {} })).toBeNull();
    expect(progressStepOf({ type: 'ticket.updated', data: { action: 'reminder' } })).toBeNull();
    // A photo or a rating is news to nobody but the one who added it.
    expect(progressStepOf({ type: 'ticket.updated', data: { action: 'photo' } })).toBeNull();
    expect(progressStepOf({ type: 'ticket.updated', data: { action: 'rated' } })).toBeNull();
  });

  it('words the messages in Chinese and English, short enough for one SMS', () => {
    const message = progressMessage('GL-261206-ABCDEF', 'resolved', '/track/GL-261206-ABCDEF');
    expect(message).toEqual({
      title: '工单 GL-261206-ABCDEF 已办结',
      body: 'Ticket GL-261206-ABCDEF: resolved',
      url: '/track/GL-261206-ABCDEF',
      tag: 'ticket-GL-261206-ABCDEF',
    });
    expect(progressSms('GL-261206-ABCDEF', 'accepted').length).toBeLessThanOrEqual(70);
  });

  it('keeps every kind on until it is switched off, and refuses unknown kinds', () => {
    expect(wants({}, 'task-offered')).toBe(true);
    expect(wants({ 'task-offered': false }, 'task-offered')).toBe(false);
    expect(notificationPreferencesSchema.safeParse({ everything: false }).success).toBe(false);
    expect(notificationPreferencesSchema.safeParse({ 'ticket-assigned': 'no' }).success).toBe(
      false,
    );
  });

  it('takes only https push services and well-formed keys', () => {
    const keys = { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) };
    expect(
      pushSubscriptionSchema.safeParse({ endpoint: 'https://push.example/x', keys }).success,
    ).toBe(true);
    expect(
      pushSubscriptionSchema.safeParse({ endpoint: 'http://push.example/x', keys }).success,
    ).toBe(false);
    expect(
      pushSubscriptionSchema.safeParse({
        endpoint: 'https://push.example/x',
        keys: { ...keys, auth: '' },
      }).success,
    ).toBe(false);
  });
});
