import { i18n } from '../i18n/index.ts';

/** "2026/12/6 21:05" / "06/12/2026, 21:05" in the page's language, 24-hour clock. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(i18n.lang === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}
