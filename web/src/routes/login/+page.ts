import { redirect } from '@sveltejs/kit';
import { homePathFor } from '$lib/sections.ts';
import { safeNext, session } from '$lib/session/session.svelte.ts';
import type { PageLoad } from './$types';

/** Already signed in: straight on to where the user was going. */
export const load: PageLoad = async ({ fetch, url }) => {
  /** Empty: the signed-in user's home, known only once they sign in. */
  const next = safeNext(url.searchParams.get('next'), '');
  let user = null;
  try {
    user = await session.ensure(fetch);
  } catch {
    // Server unreachable: show the form; signing in will report it.
  }
  if (user) redirect(307, next || homePathFor(user.role));
  return { next };
};
