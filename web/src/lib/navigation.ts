import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { safeNext } from './session/session.svelte.ts';

/**
 * The two navigations whose target carries a runtime part, which
 * svelte/no-navigation-without-resolve cannot follow: keep them here.
 */

/** To /login, remembering where to come back to (`?next=`). */
export function goToLogin(next?: string): Promise<void> {
  const query = next ? `?next=${encodeURIComponent(next)}` : '';
  // eslint-disable-next-line svelte/no-navigation-without-resolve -- resolve()d path plus a query
  return goto(`${resolve('/login')}${query}`, { replaceState: true });
}

/** After signing in: to the `?next=` path, checked to be same-origin by safeNext(). */
export function goToNext(next: string): Promise<void> {
  // eslint-disable-next-line svelte/no-navigation-without-resolve -- a validated same-origin path
  return goto(safeNext(next, '/'), { replaceState: true });
}
