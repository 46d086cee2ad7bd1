import { redirect } from '@sveltejs/kit';
import { safeNext, session } from '$lib/session/session.svelte.ts';
import type { PageLoad } from './$types';

/** Already signed in: straight on to where the user was going. */
export const load: PageLoad = async ({ fetch, url }) => {
  const next = safeNext(url.searchParams.get('next'));
  let signedIn = false;
  try {
    signedIn = (await session.ensure(fetch)) !== null;
  } catch {
    // Server unreachable: show the form; signing in will report it.
  }
  if (signedIn) redirect(307, next);
  return { next };
};
