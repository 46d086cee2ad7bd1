import type { LatLng } from '@gridline/core';
import type { NewTaskBody } from './api.ts';
import { localInputToIso } from './datetime.ts';

/** The task form as typed (numbers as the inputs hold them). */
export interface TaskFormFields {
  title: string;
  description: string;
  skills: string[];
  point: LatLng | null;
  address: string;
  startsAt: string;
  endsAt: string;
  durationMinutes: string;
  slots: string;
  pointsPerHour: string;
}

export type TaskField =
  | 'title'
  | 'description'
  | 'point'
  | 'startsAt'
  | 'endsAt'
  | 'durationMinutes'
  | 'slots'
  | 'pointsPerHour';

/** Why a field is refused, as a key of the community area's strings. */
export type TaskFieldProblem =
  | 'community.form.required'
  | 'community.form.tooLong'
  | 'community.form.badTime'
  | 'community.form.endBeforeStart'
  | 'community.form.endPassed'
  | 'community.form.pointRequired'
  | 'community.form.wholeNumber';

export type TaskFormResult =
  | { ok: true; body: NewTaskBody }
  | { ok: false; errors: Partial<Record<TaskField, TaskFieldProblem>> };

/** A whole number within [min, max] from an input's text, else null. */
export function wholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : null;
}

/** Checks the form as core's createTaskSchema would, and builds the body. */
export function taskBody(fields: TaskFormFields, now: Date): TaskFormResult {
  const errors: Partial<Record<TaskField, TaskFieldProblem>> = {};
  const title = fields.title.trim();
  if (title === '') errors.title = 'community.form.required';
  else if (title.length > 100) errors.title = 'community.form.tooLong';
  const description = fields.description.trim();
  if (description.length > 2000) errors.description = 'community.form.tooLong';
  if (!fields.point) errors.point = 'community.form.pointRequired';
  const startsAt = localInputToIso(fields.startsAt);
  const endsAt = localInputToIso(fields.endsAt);
  if (!startsAt) errors.startsAt = 'community.form.badTime';
  if (!endsAt) errors.endsAt = 'community.form.badTime';
  else if (startsAt && Date.parse(endsAt) <= Date.parse(startsAt)) {
    errors.endsAt = 'community.form.endBeforeStart';
  } else if (Date.parse(endsAt) <= now.getTime()) {
    errors.endsAt = 'community.form.endPassed';
  }
  const durationMinutes = wholeNumber(fields.durationMinutes, 5, 24 * 60);
  if (durationMinutes === null) errors.durationMinutes = 'community.form.wholeNumber';
  const slots = wholeNumber(fields.slots, 1, 50);
  if (slots === null) errors.slots = 'community.form.wholeNumber';
  const pointsPerHour = wholeNumber(fields.pointsPerHour, 0, 1000);
  if (pointsPerHour === null) errors.pointsPerHour = 'community.form.wholeNumber';

  if (
    Object.keys(errors).length > 0 ||
    !fields.point ||
    !startsAt ||
    !endsAt ||
    durationMinutes === null ||
    slots === null ||
    pointsPerHour === null
  ) {
    return { ok: false, errors };
  }
  const address = fields.address.trim();
  return {
    ok: true,
    body: {
      title,
      description,
      skills: [...new Set(fields.skills)],
      location: { lat: fields.point.lat, lng: fields.point.lng },
      ...(address === '' ? {} : { address: address.slice(0, 200) }),
      startsAt,
      endsAt,
      durationMinutes,
      slots,
      pointsPerHour,
    },
  };
}

/** A point typed as two numbers; null unless both are in range. */
export function typedPoint(lat: string, lng: string): LatLng | null {
  const latValue = Number(lat.trim());
  const lngValue = Number(lng.trim());
  if (lat.trim() === '' || lng.trim() === '') return null;
  if (!Number.isFinite(latValue) || !Number.isFinite(lngValue)) return null;
  if (Math.abs(latValue) > 90 || Math.abs(lngValue) > 180) return null;
  return { lat: latValue, lng: lngValue };
}

/** Six decimals (about 0.1 m) for the lat/lng inputs. */
export const coordinateText = (value: number): string => value.toFixed(6);
