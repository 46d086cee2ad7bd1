import {
  checkPhone,
  MAX_VISIT_EVERY_DAYS,
  type CareKind,
  type CareRecipientDto,
  type LatLng,
} from '@gridline/core';
import type { CareRecipientBody } from './api.ts';
import { wholeNumber } from './task-form.ts';

export interface ContactRow {
  name: string;
  relation: string;
  phone: string;
}

/** The household form as typed. */
export interface CareFormFields {
  householdName: string;
  firstName: string;
  kind: CareKind;
  address: string;
  point: LatLng | null;
  contacts: ContactRow[];
  /** Days between visits; '' for no scheduled visits. */
  visitEveryDays: string;
  notes: string;
}

export type CareField =
  | 'householdName'
  | 'firstName'
  | 'address'
  | 'point'
  | 'visitEveryDays'
  | 'notes'
  | `contact.${number}.name`
  | `contact.${number}.relation`
  | `contact.${number}.phone`;

export type CareFieldProblem =
  | 'community.form.required'
  | 'community.form.tooLong'
  | 'community.form.pointRequired'
  | 'community.form.wholeNumber'
  | 'community.form.badPhone';

export type CareFormResult =
  | { ok: true; body: CareRecipientBody }
  | { ok: false; errors: Partial<Record<CareField, CareFieldProblem>> };

export const emptyCareForm = (): CareFormFields => ({
  householdName: '',
  firstName: '',
  kind: 'ELDERLY_ALONE',
  address: '',
  point: null,
  contacts: [],
  visitEveryDays: '7',
  notes: '',
});

/** A household's record as the form edits it. */
export function careFormOf(record: CareRecipientDto): CareFormFields {
  return {
    householdName: record.householdName,
    firstName: record.firstName,
    kind: record.kind,
    address: record.address,
    point: { lat: record.lat, lng: record.lng },
    contacts: record.contacts.map((contact) => ({ ...contact })),
    visitEveryDays: record.visitEveryDays === null ? '' : String(record.visitEveryDays),
    notes: record.notes ?? '',
  };
}

/** Checks the form as core's createCareRecipientSchema would (blank contact rows are dropped). */
export function careBody(fields: CareFormFields): CareFormResult {
  const errors: Partial<Record<CareField, CareFieldProblem>> = {};
  const text = (field: CareField, value: string, max: number): string => {
    const trimmed = value.trim();
    if (trimmed === '') errors[field] = 'community.form.required';
    else if (trimmed.length > max) errors[field] = 'community.form.tooLong';
    return trimmed;
  };
  const householdName = text('householdName', fields.householdName, 50);
  const firstName = text('firstName', fields.firstName, 20);
  const address = text('address', fields.address, 200);
  if (!fields.point) errors.point = 'community.form.pointRequired';
  let visitEveryDays: number | null = null;
  if (fields.visitEveryDays.trim() !== '') {
    visitEveryDays = wholeNumber(fields.visitEveryDays, 1, MAX_VISIT_EVERY_DAYS);
    if (visitEveryDays === null) errors.visitEveryDays = 'community.form.wholeNumber';
  }
  const notes = fields.notes.trim();
  if (notes.length > 2000) errors.notes = 'community.form.tooLong';
  const contacts: CareRecipientBody['contacts'] = [];
  fields.contacts.forEach((row, index) => {
    if (row.name.trim() === '' && row.relation.trim() === '' && row.phone.trim() === '') return;
    const name = text(`contact.${index}.name`, row.name, 50);
    const relation = text(`contact.${index}.relation`, row.relation, 20);
    const phone = row.phone.trim();
    if (phone === '') errors[`contact.${index}.phone`] = 'community.form.required';
    else if (!checkPhone(phone).ok) errors[`contact.${index}.phone`] = 'community.form.badPhone';
    contacts.push({ name, relation, phone });
  });
  if (Object.keys(errors).length > 0 || !fields.point) return { ok: false, errors };
  return {
    ok: true,
    body: {
      householdName,
      firstName,
      kind: fields.kind,
      address,
      location: { lat: fields.point.lat, lng: fields.point.lng },
      contacts: contacts.slice(0, 10),
      visitEveryDays,
      notes: notes === '' ? null : notes,
    },
  };
}

/** Only what changed, for `PATCH /api/care-recipients/:id` (empty: nothing to save). */
export function careChanges(
  record: CareRecipientDto,
  body: CareRecipientBody,
): Partial<CareRecipientBody> {
  const changes: Partial<CareRecipientBody> = {};
  if (body.householdName !== record.householdName) changes.householdName = body.householdName;
  if (body.firstName !== record.firstName) changes.firstName = body.firstName;
  if (body.kind !== record.kind) changes.kind = body.kind;
  if (body.address !== record.address) changes.address = body.address;
  if (body.location.lat !== record.lat || body.location.lng !== record.lng) {
    changes.location = body.location;
  }
  const sameContacts =
    body.contacts.length === record.contacts.length &&
    body.contacts.every((contact, index) => {
      const before = record.contacts[index];
      return (
        before !== undefined &&
        before.name === contact.name &&
        before.relation === contact.relation &&
        (before.phone === contact.phone || normalized(contact.phone) === before.phone)
      );
    });
  if (!sameContacts) changes.contacts = body.contacts;
  if (body.visitEveryDays !== record.visitEveryDays) changes.visitEveryDays = body.visitEveryDays;
  if (body.notes !== record.notes) changes.notes = body.notes;
  return changes;
}

function normalized(phone: string): string | null {
  const check = checkPhone(phone);
  return check.ok ? check.normalized : null;
}
