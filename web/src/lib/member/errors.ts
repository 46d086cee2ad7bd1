import { ApiError } from '../api/client.ts';
import { t } from '../i18n/index.ts';

/** A sentence for a failed call, in the current language. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetworkError) return t('member.error.network');
    if (error.status === 409) return t('member.error.conflict');
    if (error.status === 403) return t('member.error.forbidden');
    return t('member.error.generic', { message: error.message });
  }
  if (error instanceof Error) return t('member.error.generic', { message: error.message });
  return t('member.error.generic', { message: String(error) });
}

/** 409: the ticket moved on under us (someone else acted, or a deadline escalated it). */
export const isConflict = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 409;
