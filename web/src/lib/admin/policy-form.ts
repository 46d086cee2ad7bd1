import { PRIORITIES, type DeadlinePolicy, type Priority } from '@gridline/core';
import type { MessageKey } from '$lib/i18n/index.ts';

const MAX_MINUTES = 60 * 24 * 365;

/** One priority's deadlines as typed into the form. */
export interface PolicyRowForm {
  accept: string;
  resolve: string;
  escalation: [string, string, string];
  /** Percentages, comma-separated. */
  reminders: string;
}
export type PolicyForm = Record<Priority, PolicyRowForm>;
/** Field path (e.g. "URGENT.accept", "HIGH.escalation.1") -> message key. */
export type PolicyErrors = Record<string, MessageKey>;

export function toForm(policy: DeadlinePolicy): PolicyForm {
  const form = {} as PolicyForm;
  for (const priority of PRIORITIES) {
    const rule = policy[priority];
    form[priority] = {
      accept: String(rule.acceptMinutes),
      resolve: String(rule.resolveMinutes),
      escalation: rule.escalationAcceptMinutes.map(String) as [string, string, string],
      reminders: rule.reminders.map((value) => String(Math.round(value * 100))).join(', '),
    };
  }
  return form;
}

function minutes(text: string): number | MessageKey {
  if (text.trim() === '') return 'admin.validation.required';
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) return 'admin.validation.positive';
  if (value > MAX_MINUTES) return 'admin.validation.max';
  return value;
}

/** The same rules as core's deadlinePolicySchema and policyProblems, with messages per field. */
export function parseForm(form: PolicyForm): {
  policy: DeadlinePolicy | null;
  errors: PolicyErrors;
} {
  const errors: PolicyErrors = {};
  const policy = {} as DeadlinePolicy;
  for (const priority of PRIORITIES) {
    const row = form[priority];
    const accept = minutes(row.accept);
    const resolve = minutes(row.resolve);
    if (typeof accept === 'string') errors[`${priority}.accept`] = accept;
    if (typeof resolve === 'string') errors[`${priority}.resolve`] = resolve;
    if (typeof accept === 'number' && typeof resolve === 'number' && accept > resolve) {
      errors[`${priority}.accept`] = 'admin.validation.acceptAfterResolve';
    }
    const escalation = row.escalation.map((text, index) => {
      const value = minutes(text);
      if (typeof value === 'string') errors[`${priority}.escalation.${index}`] = value;
      return typeof value === 'number' ? value : 0;
    });
    const parts = row.reminders
      .split(/[,，\s]+/)
      .map((part) => part.trim())
      .filter((part) => part !== '');
    const reminders = parts.map(Number);
    const valid =
      reminders.length <= 5 &&
      reminders.every(
        (value, index) =>
          Number.isFinite(value) &&
          value >= 1 &&
          value <= 99 &&
          (index === 0 || value > reminders[index - 1]!),
      );
    if (!valid) errors[`${priority}.reminders`] = 'admin.validation.reminders';
    policy[priority] = {
      acceptMinutes: typeof accept === 'number' ? accept : 0,
      resolveMinutes: typeof resolve === 'number' ? resolve : 0,
      escalationAcceptMinutes: escalation,
      reminders: reminders.map((value) => value / 100),
    };
  }
  return { policy: Object.keys(errors).length === 0 ? policy : null, errors };
}
