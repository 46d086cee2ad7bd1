import type { Role, UserDto } from '@gridline/core';
import { ApiError, api, type Fetch } from '../api/client.ts';

/** Roles that work inside the staff console (mirrors STAFF_ROLES in core). */
const STAFF: readonly Role[] = ['GRID_MEMBER', 'COMMUNITY_STAFF', 'DISPATCHER', 'ADMIN'];
/** Roles that may open the dispatch map. */
const DISPATCH: readonly Role[] = ['COMMUNITY_STAFF', 'DISPATCHER', 'ADMIN'];

export const isStaff = (user: UserDto): boolean => STAFF.includes(user.role);
export const canDispatch = (user: UserDto): boolean => DISPATCH.includes(user.role);

/** The signed-in user: `undefined` until asked, `null` when signed out. */
class Session {
  user = $state.raw<UserDto | null | undefined>(undefined);
  /** True while the user's own sign-out runs (the server then drops the live socket too). */
  signingOut = $state(false);
  #pending: Promise<UserDto | null> | null = null;

  /** Asks `GET /api/me` once; later calls reuse the answer. Network errors are thrown. */
  async ensure(fetchFn?: Fetch): Promise<UserDto | null> {
    if (this.user !== undefined) return this.user;
    this.#pending ??= api.me(fetchFn).then(
      ({ user }) => {
        remember(user);
        return (this.user = user);
      },
      (error: unknown) => {
        this.#pending = null;
        if (error instanceof ApiError && error.status === 401) return (this.user = null);
        throw error;
      },
    );
    return this.#pending;
  }

  signedIn(user: UserDto): void {
    this.#pending = null;
    this.user = user;
    remember(user);
  }

  /**
   * Who was signed in on this device the last time the server answered, for a
   * page that can open offline from its cached shell (the volunteer app).
   */
  lastKnownUser(): UserDto | null {
    try {
      const stored = globalThis.localStorage?.getItem(LAST_USER_KEY);
      return stored ? (JSON.parse(stored) as UserDto) : null;
    } catch {
      return null;
    }
  }

  /** `POST /api/auth/logout`, then forget the user even if the server could not be reached. */
  async signOut(): Promise<void> {
    this.signingOut = true;
    try {
      await api.logout();
    } catch {
      // Already signed out, or the server is unreachable: forget the session here anyway.
    } finally {
      this.signedOut();
      this.signingOut = false;
    }
  }

  /** Forget the user (after logout or when the server revoked the session). */
  signedOut(): void {
    this.#pending = null;
    this.user = null;
    remember(null);
  }

  /** Re-asks the server whether the session still holds (after a socket was refused). */
  async recheck(): Promise<UserDto | null> {
    this.#pending = null;
    this.user = undefined;
    return this.ensure();
  }
}

const LAST_USER_KEY = 'gridline.lastUser';

function remember(user: UserDto | null): void {
  try {
    if (user) globalThis.localStorage?.setItem(LAST_USER_KEY, JSON.stringify(user));
    else globalThis.localStorage?.removeItem(LAST_USER_KEY);
  } catch {
    // Private mode or storage full: offline start-up simply is not offered.
  }
}

export const session = new Session();

/** A same-origin path to return to after signing in; anything else becomes the fallback. */
export function safeNext(next: string | null | undefined, fallback: string): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  if (next === '/login' || next.startsWith('/login?')) return fallback;
  return next;
}
