import type { AssignmentStatus, SkillDto } from '@gridline/core';
import { i18n, t } from '../i18n/index.ts';
import { distanceParts, splitServiceMinutes } from './format.ts';
import type { GoneReason } from './task-lists.ts';

/** `850 米` / `850 m`, `1.2 公里` / `1.2 km`. */
export function distanceText(metres: number): string {
  const { value, unit } = distanceParts(metres);
  if (i18n.lang === 'en') return `${value} ${unit}`;
  return `${value} ${unit === 'km' ? '公里' : '米'}`;
}

/** Service time: `45 分钟`, `2 小时`, `1 小时 30 分`. */
export function durationText(totalMinutes: number): string {
  const { hours, minutes } = splitServiceMinutes(totalMinutes);
  if (hours === 0) return t('volunteer.duration.minutes', { minutes });
  if (minutes === 0) return t('volunteer.duration.hours', { hours });
  return t('volunteer.duration.hoursMinutes', { hours, minutes });
}

export const assignmentLabel = (status: AssignmentStatus): string =>
  t(`volunteer.assignment.${status}`);

export const goneText = (reason: GoneReason, title: string): string =>
  t(`volunteer.gone.${reason}`, { title });

/** Skill names in the current language (the code when the catalogue does not know it). */
export function skillNames(codes: readonly string[], catalogue: ReadonlyMap<string, SkillDto>) {
  return codes
    .map((code) => {
      const skill = catalogue.get(code);
      return skill ? i18n.pick({ zh: skill.nameZh, en: skill.nameEn }) : code;
    })
    .join(i18n.lang === 'en' ? ', ' : '、');
}

/** A task's time window: `3月5日 14:00–16:00`, or both dates when it spans days. */
export function windowText(startsAt: string, endsAt: string): string {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  const day: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' };
  const clock: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hour12: false };
  const lang = i18n.lang;
  const sameDay = start.toDateString() === end.toDateString();
  const from = `${start.toLocaleDateString(lang, day)} ${start.toLocaleTimeString(lang, clock)}`;
  const to = sameDay
    ? end.toLocaleTimeString(lang, clock)
    : `${end.toLocaleDateString(lang, day)} ${end.toLocaleTimeString(lang, clock)}`;
  return `${from}–${to}`;
}

export const timeText = (iso: string): string =>
  new Date(iso).toLocaleTimeString(i18n.lang, {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });

export const dateTimeText = (iso: string): string =>
  new Date(iso).toLocaleString(i18n.lang, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
