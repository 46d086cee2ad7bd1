import { ApiError } from '../api/client.ts';
import { i18n, t } from '../i18n/index.ts';
import { refusalText, serverMessageIn } from './format.ts';
import { distanceText } from './labels.ts';
import { GeoError } from './presence.ts';

/** `details` of a geofence refusal, when the server gives the numbers. */
function geofenceNumbers(details: unknown): { distanceM: number; geofenceM: number } | null {
  if (typeof details !== 'object' || details === null) return null;
  const { distanceM, geofenceM } = details as { distanceM?: unknown; geofenceM?: unknown };
  return typeof distanceM === 'number' && typeof geofenceM === 'number'
    ? { distanceM, geofenceM }
    : null;
}

/**
 * A sentence for a failed volunteer action, in the current language. The
 * server's own message is shown for refusals (422 outside the geofence or
 * the time window, 409 when the task moved on), since it says why.
 */
export function volunteerErrorMessage(error: unknown): string {
  if (error instanceof GeoError) return t(`volunteer.geo.${error.kind}`);
  if (error instanceof ApiError) {
    if (error.isNetworkError) return t('volunteer.error.network');
    const message = serverMessageIn(error.message, i18n.lang);
    if (error.status === 422) {
      const numbers = geofenceNumbers(error.details);
      if (numbers) {
        return t('volunteer.error.distance', {
          distance: distanceText(numbers.distanceM),
          geofence: Math.round(numbers.geofenceM),
        });
      }
      return t('volunteer.error.rejected', { message });
    }
    if (error.status === 409) return t('volunteer.error.conflict', { message });
    if (error.status === 403) return t('volunteer.error.forbidden', { message });
    return t('volunteer.error.generic', { message });
  }
  if (error instanceof Error) return t('volunteer.error.generic', { message: error.message });
  return t('volunteer.error.generic', { message: String(error) });
}

/**
 * For sentences that already say what failed ("Could not save: {message}"):
 * a refusal (4xx) in the server's own words and the fields it names, without
 * a second prefix; anything else as volunteerErrorMessage says it.
 */
export function refusalMessage(error: unknown): string {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
    return refusalText(error.message, error.details, i18n.lang);
  }
  return volunteerErrorMessage(error);
}

export const isStatus = (error: unknown, status: number): boolean =>
  error instanceof ApiError && error.status === status;
