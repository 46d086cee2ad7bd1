import { redirect } from '@sveltejs/kit';
import { homePathFor } from '$lib/sections.ts';
import { session } from '$lib/session/session.svelte.ts';
import type { PageLoad } from './$types';

/** `/`: to the user's home when signed in, else to /login. */
export const load: PageLoad = async ({ fetch }) => {
  let user = null;
  try {
    user = await session.ensure(fetch);
  } catch {
    // Server unreachable: the login page says so when the user tries.
  }
  redirect(307, user ? homePathFor(user.role) : '/login');
};
