import { FieldDuty } from '../field/duty.svelte.ts';
import { volunteerApi } from './api.ts';

export type { SharingState } from '../field/duty.svelte.ts';

/**
 * The volunteer's duty and position (`/api/volunteers/me/...`): the offer
 * cascade finds volunteers by the positions they share.
 */
export class VolunteerDuty extends FieldDuty {
  constructor() {
    super(volunteerApi);
  }
}
