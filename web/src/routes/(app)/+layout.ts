import { error, redirect } from '@sveltejs/kit';
import type { UserDto } from '@gridline/core';
import { session } from '$lib/session/session.svelte.ts';
import { t } from '$lib/i18n/index.ts';
import type { LayoutLoad } from './$types';

/** Every page in (app) needs a signed-in user; the others go to /login first and come back. */
export const load: LayoutLoad = async ({ fetch, url }) => {
  let user: UserDto | null;
  try {
    user = await session.ensure(fetch);
  } catch {
    // The volunteer app opens from its cached shell without a network, as the last user.
    const lastKnown = session.lastKnownUser();
    if (lastKnown?.role === 'VOLUNTEER' && url.pathname.startsWith('/volunteer')) {
      return { user: lastKnown, offline: true };
    }
    error(503, { message: t('error.network') });
  }
  if (!user) {
    redirect(307, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return { user, offline: false };
};
