import type { StatsRegion } from '@gridline/core';
import { i18n, t } from '../i18n/index.ts';
import { splitMinutes } from './figures.ts';

/** The region's name in the current language (English name when there is one). */
export function regionName(region: Pick<StatsRegion, 'name' | 'nameEn'>): string {
  return i18n.pick({ zh: region.name, en: region.nameEn ?? '' });
}

/** An average duration, "—" when there is none. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return t('dashboard.noData');
  const parts = splitMinutes(minutes);
  if (parts.unit === 'minutes') return t('dashboard.minutes', { minutes: parts.minutes });
  if (parts.unit === 'hours') return t('dashboard.hoursMinutes', parts);
  return t('dashboard.daysHours', parts);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(lang, {
      timeZone: 'Asia/Shanghai',
      hourCycle: 'h23',
      ...options,
    });
    formatters.set(key, found);
  }
  return found;
}

/** A bucket's start in Beijing time: "14:00" for hours, "03-15" for days. */
export function bucketLabel(iso: string, bucket: 'hour' | 'day'): string {
  const date = new Date(iso);
  if (bucket === 'hour')
    return formatter(i18n.lang, { hour: '2-digit', minute: '2-digit' }).format(date);
  return formatter(i18n.lang, { month: '2-digit', day: '2-digit' }).format(date);
}

/** A Beijing date-time for notes: "2026-03-15 14:05". */
export function beijingDateTime(at: Date | number): string {
  const local = new Date(+at + 8 * 60 * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

/** The Beijing time of day, "14:05:09". */
export function beijingClock(date: Date): string {
  return new Date(date.getTime() + 8 * 60 * 60_000).toISOString().slice(11, 19);
}
