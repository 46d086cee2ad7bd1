import { t } from '../i18n/index.ts';

const pad = (value: number): string => String(value).padStart(2, '0');

/** A countdown: `4:05`, `1:02:03`, or `2天3小时` / `2d 3h` beyond a day. */
export function formatCountdown(ms: number): string {
  const totalSeconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return t('duration.days', { days, hours });
  if (hours > 0) return `${hours}:${pad(minutes)}:${pad(seconds)}`;
  return `${minutes}:${pad(seconds)}`;
}
