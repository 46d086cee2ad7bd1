import { error, redirect } from '@sveltejs/kit';
import { session } from '$lib/session/session.svelte.ts';
import { t } from '$lib/i18n/index.ts';
import type { LayoutLoad } from './$types';

/** Every page in (app) needs a signed-in staff user; the others go to /login first. */
export const load: LayoutLoad = async ({ fetch, url }) => {
  let user;
  try {
    user = await session.ensure(fetch);
  } catch {
    error(503, { message: t('error.network') });
  }
  if (!user) {
    redirect(307, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return { user };
};
