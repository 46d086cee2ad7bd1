import type { LatLng } from '@gridline/core';
import type { ReportBody } from './api.ts';

/** What the resident has filled in so far. */
export interface ReportDraft {
  categoryCode: string | null;
  point: LatLng | null;
  address: string;
  description: string;
  name: string;
  phone: string;
}

export type ReportProblem = 'category' | 'location' | 'description' | 'phone';

const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;

/** What is missing or wrong, in the order the form asks for it. */
export function reportProblems(draft: ReportDraft): ReportProblem[] {
  const problems: ReportProblem[] = [];
  if (!draft.categoryCode) problems.push('category');
  if (!draft.point) problems.push('location');
  if (draft.description.trim() === '') problems.push('description');
  const phone = draft.phone.trim();
  if (phone !== '' && !PHONE.test(phone)) problems.push('phone');
  return problems;
}

/** The body of `POST /api/tickets`, or null while something is missing. */
export function reportBody(draft: ReportDraft): ReportBody | null {
  if (reportProblems(draft).length > 0 || !draft.categoryCode || !draft.point) return null;
  const name = draft.name.trim();
  const phone = draft.phone.trim();
  const address = draft.address.trim();
  return {
    categoryCode: draft.categoryCode,
    description: draft.description.trim(),
    location: { lat: round6(draft.point.lat), lng: round6(draft.point.lng) },
    ...(address ? { address } : {}),
    channel: 'WEB',
    ...(name || phone
      ? { reporter: { ...(name ? { name } : {}), ...(phone ? { phone } : {}) } }
      : {}),
  };
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * An Idempotency-Key per report: kept while the same report is retried,
 * replaced once it is filed or its content changes.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `report-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Everything the body depends on, to notice when the report being retried has changed. */
export function draftFingerprint(draft: ReportDraft): string {
  return JSON.stringify(reportBody(draft));
}
