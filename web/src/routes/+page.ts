import { redirect } from '@sveltejs/kit';
import { HOME_PATH, session } from '$lib/session/session.svelte.ts';
import type { PageLoad } from './$types';

/** `/`: to the user's home when signed in, else to /login. */
export const load: PageLoad = async ({ fetch }) => {
  let signedIn = false;
  try {
    signedIn = (await session.ensure(fetch)) !== null;
  } catch {
    // Server unreachable: the login page says so when the user tries.
  }
  redirect(307, signedIn ? HOME_PATH : '/login');
};
