/** `<input type="datetime-local">` values and ISO-8601 times with the browser's zone. */

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** The browser's offset at `date` as `+08:00` (ISO-8601 form; `Z` never used). */
export function zoneOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A local time as ISO-8601 with its zone, e.g. `2026-03-05T14:00:00+08:00`. */
export function toZonedIso(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    zoneOffset(date)
  );
}

/**
 * A datetime-local value (`2026-03-05T14:00`) read as the browser's local
 * time, as ISO-8601 with zone; null when it is not a real date and time.
 */
export function localInputToIso(value: string): string | null {
  const match = LOCAL_INPUT.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const date = new Date(year!, month! - 1, day!, hour!, minute!, second!);
  // Reject overflow (Feb 30 becomes Mar 2) rather than silently moving the time.
  if (
    date.getFullYear() !== year ||
    date.getMonth() !== month! - 1 ||
    date.getDate() !== day ||
    date.getHours() !== hour ||
    date.getMinutes() !== minute
  ) {
    return null;
  }
  return toZonedIso(date);
}

/** A time as a datetime-local value (minutes precision, local time). */
export function toLocalInput(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/** The next whole hour after `now` plus `hours` (the task form's default window). */
export function wholeHourAfter(now: Date, hours: number): Date {
  const date = new Date(now.getTime());
  date.setMinutes(0, 0, 0);
  date.setHours(date.getHours() + 1 + hours);
  return date;
}
