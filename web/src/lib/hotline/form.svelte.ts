import {
  MAX_DESCRIPTION_LENGTH,
  checkPhone,
  type CategoryDto,
  type LatLng,
  type Priority,
} from '@gridline/core';
import { ApiError } from '../api/client.ts';
import type { MessageKey, MessageParams } from '../i18n/index.ts';
import {
  createHotlineTicket,
  newIdempotencyKey,
  type CreatedTicket,
  type HotlineTicketInput,
} from './api.ts';

export type FieldName =
  | 'phone'
  | 'name'
  | 'category'
  | 'priority'
  | 'address'
  | 'location'
  | 'description';

/** A message to show: a translation key (follows the language switch) or the server's text. */
export type FormMessage = { key: MessageKey; params?: MessageParams } | { text: string };

/** Which field a server validation issue (`details[].path`) belongs to. */
export function fieldForPath(path: string): FieldName | null {
  const head = path.split('.')[0];
  if (path.startsWith('reporter.phone')) return 'phone';
  if (path.startsWith('reporter.name')) return 'name';
  switch (head) {
    case 'categoryCode':
      return 'category';
    case 'location':
      return 'location';
    case 'description':
    case 'address':
    case 'priority':
      return head;
    default:
      return null;
  }
}

function issuesOf(details: unknown): Array<{ path: string; message: string }> {
  if (!Array.isArray(details)) return [];
  return details.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { path, message } = item as { path?: unknown; message?: unknown };
    return typeof path === 'string' && typeof message === 'string' ? [{ path, message }] : [];
  });
}

/** The call-taker's form: fields, validation, and one submission per form fill. */
export class HotlineForm {
  phone = $state('');
  name = $state('');
  category = $state.raw<CategoryDto | null>(null);
  priority = $state<Priority>('NORMAL');
  /** The call-taker chose the priority: picking a category no longer changes it. */
  priorityChosen = $state(false);
  address = $state('');
  point = $state.raw<LatLng | null>(null);
  description = $state('');

  errors = $state<Partial<Record<FieldName, FormMessage>>>({});
  formError = $state.raw<FormMessage | null>(null);
  submitting = $state(false);
  created = $state.raw<CreatedTicket | null>(null);

  /** One key per form fill: a double submit or a retry returns the first ticket. */
  #idempotencyKey = newIdempotencyKey();

  readonly phoneCheck = $derived(checkPhone(this.phone));
  readonly errorCount = $derived(Object.keys(this.errors).length);

  pickCategory(category: CategoryDto | null): void {
    this.category = category;
    if (category && !this.priorityChosen) this.priority = category.defaultPriority;
    if (category) this.clearError('category');
  }

  choosePriority(priority: Priority): void {
    this.priority = priority;
    this.priorityChosen = true;
  }

  placePoint(point: LatLng): void {
    this.point = { lat: round6(point.lat), lng: round6(point.lng) };
    this.clearError('location');
  }

  clearError(field: FieldName): void {
    if (!(field in this.errors)) return;
    const { [field]: _removed, ...rest } = this.errors;
    this.errors = rest;
  }

  /** Checks the phone when the call-taker leaves the field (an empty one waits for submit). */
  checkPhoneField(): void {
    // Empty: no new complaint while the call starts, but an earlier one says what is missing now.
    if (this.phone.trim() === '') {
      if (this.errors.phone)
        this.errors = { ...this.errors, phone: { key: 'hotline.phone.empty' } };
      return;
    }
    const check = this.phoneCheck;
    if (check.ok) this.clearError('phone');
    else this.errors = { ...this.errors, phone: { key: `hotline.phone.${check.problem}` } };
  }

  /** Client-side checks; returns the first field in error, or null. */
  validate(): FieldName | null {
    const errors: Partial<Record<FieldName, FormMessage>> = {};
    const phone = this.phoneCheck;
    if (!phone.ok) errors.phone = { key: `hotline.phone.${phone.problem}` };
    if (!this.category) errors.category = { key: 'hotline.category.required' };
    if (!this.point) errors.location = { key: 'hotline.point.required' };
    if (this.description.trim() === '')
      errors.description = { key: 'hotline.description.required' };
    this.errors = errors;
    this.formError = null;
    return FIELD_ORDER.find((field) => field in errors) ?? null;
  }

  /** The request body, once valid. */
  body(): HotlineTicketInput | null {
    const phone = this.phoneCheck;
    if (!phone.ok || !this.category || !this.point) return null;
    const name = this.name.trim();
    const address = this.address.trim();
    return {
      categoryCode: this.category.code,
      description: this.description.trim().slice(0, MAX_DESCRIPTION_LENGTH),
      location: this.point,
      ...(address === '' ? {} : { address }),
      priority: this.priority,
      channel: 'HOTLINE',
      reporter: { phone: phone.normalized, ...(name === '' ? {} : { name }) },
    };
  }

  /**
   * Files the ticket. Returns the first field in error (to focus), or null.
   * A second call while one is in flight does nothing.
   */
  async submit(fetchFn?: typeof fetch): Promise<FieldName | 'form' | null> {
    if (this.submitting || this.created) return null;
    const invalid = this.validate();
    if (invalid) return invalid;
    const body = this.body();
    if (!body) return 'form';
    this.submitting = true;
    try {
      this.created = await createHotlineTicket(body, this.#idempotencyKey, fetchFn);
      return null;
    } catch (error) {
      return this.#showServerError(error);
    } finally {
      this.submitting = false;
    }
  }

  #showServerError(error: unknown): FieldName | 'form' {
    if (!(error instanceof ApiError)) {
      this.formError = { text: error instanceof Error ? error.message : String(error) };
      return 'form';
    }
    if (error.isNetworkError) {
      // Same key on the retry: the server answers with the ticket if the first try landed.
      this.formError = { key: 'hotline.error.network' };
      return 'form';
    }
    if (error.code === 'IDEMPOTENCY_MISMATCH') {
      this.#idempotencyKey = newIdempotencyKey();
      this.formError = { key: 'hotline.error.idempotency' };
      return 'form';
    }
    const errors: Partial<Record<FieldName, FormMessage>> = {};
    for (const issue of issuesOf(error.details)) {
      const field = fieldForPath(issue.path);
      if (field && !errors[field]) errors[field] = { text: issue.message };
    }
    if (Object.keys(errors).length === 0 && /categor/i.test(error.message)) {
      errors.category = { text: error.message };
    }
    this.errors = errors;
    const first = FIELD_ORDER.find((field) => field in errors);
    if (first) return first;
    this.formError = { key: 'hotline.error.generic', params: { message: error.message } };
    return 'form';
  }

  /** Next call: an empty form and a new idempotency key. */
  reset(): void {
    this.phone = '';
    this.name = '';
    this.category = null;
    this.priority = 'NORMAL';
    this.priorityChosen = false;
    this.address = '';
    this.point = null;
    this.description = '';
    this.errors = {};
    this.formError = null;
    this.created = null;
    this.#idempotencyKey = newIdempotencyKey();
  }
}

const FIELD_ORDER: readonly FieldName[] = [
  'phone',
  'name',
  'category',
  'priority',
  'address',
  'location',
  'description',
];

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;
