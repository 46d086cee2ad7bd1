import type { Presence } from './api.ts';

export type GeoFailure = 'denied' | 'unavailable' | 'timeout' | 'unsupported';

/** The browser could not tell where the phone is. */
export class GeoError extends Error {
  readonly kind: GeoFailure;

  constructor(kind: GeoFailure) {
    super(`geolocation ${kind}`);
    this.name = 'GeoError';
    this.kind = kind;
  }
}

/** A browser GeolocationPositionError code as a failure kind. */
export function geoFailureOf(code: number): GeoFailure {
  if (code === 1) return 'denied';
  if (code === 3) return 'timeout';
  return 'unavailable';
}

/** The largest accuracy the server takes (`taskPresenceSchema`). */
const MAX_ACCURACY_M = 100_000;

/** A position fix as the check-in and check-out bodies carry it. */
export function presenceOf(coords: {
  latitude: number;
  longitude: number;
  accuracy: number;
}): Presence {
  return {
    lat: coords.latitude,
    lng: coords.longitude,
    ...(Number.isFinite(coords.accuracy) && coords.accuracy >= 0
      ? { accuracy: Math.min(coords.accuracy, MAX_ACCURACY_M) }
      : {}),
  };
}

/** Where the phone is now (one fresh fix, at most 15 s old); GeoError when it cannot be had. */
export function currentPresence(timeoutMs = 20_000): Promise<Presence> {
  const geolocation = typeof navigator === 'undefined' ? undefined : navigator.geolocation;
  if (!geolocation) return Promise.reject(new GeoError('unsupported'));
  return new Promise((resolve, reject) => {
    geolocation.getCurrentPosition(
      (position) => resolve(presenceOf(position.coords)),
      (error) => reject(new GeoError(geoFailureOf(error.code))),
      { enableHighAccuracy: true, maximumAge: 15_000, timeout: timeoutMs },
    );
  });
}
