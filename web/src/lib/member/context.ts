import { getContext, setContext } from 'svelte';
import type { UserDto } from '@gridline/core';
import type { DutyState } from './duty.svelte.ts';
import type { MemberInbox } from './inbox.svelte.ts';

/** What the /member layout shares with its pages: one live inbox and one duty state. */
export interface MemberContext {
  user: UserDto;
  inbox: MemberInbox;
  duty: DutyState;
}

const KEY = Symbol('member');

export function setMemberContext(context: MemberContext): void {
  setContext(KEY, context);
}

export function memberContext(): MemberContext {
  const context = getContext<MemberContext | undefined>(KEY);
  if (!context) throw new Error('memberContext() outside the /member layout');
  return context;
}
