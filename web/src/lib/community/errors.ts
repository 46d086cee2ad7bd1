import { ApiError } from '../api/client.ts';
import { i18n, t } from '../i18n/index.ts';
import { serverMessageIn } from '../volunteer/format.ts';

interface FieldProblem {
  path: string;
  message: string;
}

function fieldProblems(details: unknown): FieldProblem[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (item): item is FieldProblem =>
      typeof item === 'object' &&
      item !== null &&
      typeof (item as { path?: unknown }).path === 'string' &&
      typeof (item as { message?: unknown }).message === 'string',
  );
}

/**
 * A failed call in words: the server's own message (it says why), with the
 * fields it refused; a sentence of ours when there was no answer at all.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetworkError) return t('community.error.network');
    const message = serverMessageIn(error.message, i18n.lang);
    const fields = fieldProblems(error.details)
      .map((problem) =>
        problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`,
      )
      .join('; ');
    return fields === '' ? message : `${message} (${fields})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A fresh Idempotency-Key for one submission (kept while the same form is retried). */
export function newIdempotencyKey(): string {
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `web-${random}`;
}
