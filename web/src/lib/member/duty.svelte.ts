import { FieldDuty } from '../field/duty.svelte.ts';
import { memberApi } from './api.ts';

export type { SharingState } from '../field/duty.svelte.ts';

/** The grid member's duty and position (`/api/members/me/...`), shown on the dispatcher's map. */
export class DutyState extends FieldDuty {
  constructor() {
    super(memberApi);
  }
}
