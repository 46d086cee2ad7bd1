/** The tab an arrow, Home or End key moves to in a tab list (wrapping), or null for other keys. */
export function tabForKey<T>(tabs: readonly T[], current: T, key: string): T | null {
  const index = tabs.indexOf(current);
  if (index < 0 || tabs.length === 0) return null;
  let next: number | null = null;
  if (key === 'ArrowRight') next = (index + 1) % tabs.length;
  if (key === 'ArrowLeft') next = (index + tabs.length - 1) % tabs.length;
  if (key === 'Home') next = 0;
  if (key === 'End') next = tabs.length - 1;
  return next === null ? null : (tabs[next] ?? null);
}
