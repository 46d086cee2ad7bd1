import { getContext, setContext } from 'svelte';
import type { UserDto } from '@gridline/core';
import type { VolunteerDuty } from './duty.svelte.ts';
import type { VolunteerTasks } from './tasks.svelte.ts';
import type { VolunteerWallet } from './wallet.svelte.ts';

/** What the /volunteer layout shares with its pages: one live task list, duty, and the wallet. */
export interface VolunteerContext {
  user: UserDto;
  tasks: VolunteerTasks;
  duty: VolunteerDuty;
  wallet: VolunteerWallet;
  /** The browser's own online flag (navigator.onLine, kept current). */
  readonly online: boolean;
}

const KEY = Symbol('volunteer');

export function setVolunteerContext(context: VolunteerContext): void {
  setContext(KEY, context);
}

export function volunteerContext(): VolunteerContext {
  const context = getContext<VolunteerContext | undefined>(KEY);
  if (!context) throw new Error('volunteerContext() outside the /volunteer layout');
  return context;
}
