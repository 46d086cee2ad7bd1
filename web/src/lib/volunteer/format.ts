/**
 * Pure formatting for the volunteer app (no Svelte, no i18n: the caller
 * picks the words), so that it can be unit tested.
 */

const pad = (value: number): string => String(value).padStart(2, '0');

/**
 * What an offer's countdown shows: `m:ss` (or `h:mm:ss`) while time is left,
 * rounded up so that `0:00` appears only when the offer has expired.
 */
export function offerCountdown(msLeft: number): { expired: boolean; text: string } {
  if (!Number.isFinite(msLeft) || msLeft <= 0) return { expired: true, text: '0:00' };
  const totalSeconds = Math.ceil(msLeft / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const text =
    hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
  return { expired: false, text };
}

/** Under this many seconds left, the countdown turns urgent. */
export const OFFER_URGENT_MS = 60_000;

/** Distance for people: whole metres under 1 km (rounded to 10 m past 100 m), else km with one decimal. */
export function distanceParts(metres: number): { value: string; unit: 'm' | 'km' } {
  const m = Math.max(0, metres);
  if (m < 100) return { value: String(Math.round(m)), unit: 'm' };
  if (m < 995) return { value: String(Math.round(m / 10) * 10), unit: 'm' };
  return { value: (Math.round(m / 100) / 10).toFixed(1), unit: 'km' };
}

/** Service time split for display: whole hours and the minutes left over. */
export function splitServiceMinutes(totalMinutes: number): { hours: number; minutes: number } {
  const total = Math.max(0, Math.floor(totalMinutes));
  return { hours: Math.floor(total / 60), minutes: total % 60 };
}

/** Decimal hours with one decimal (0.1 h resolution), e.g. 90 -> "1.5". */
export function decimalHours(totalMinutes: number): string {
  return (Math.round((Math.max(0, totalMinutes) / 60) * 10) / 10).toFixed(1);
}

/** `geo:` URI: phones open their maps app on it (RFC 5870, with a label for Android). */
export function geoUri(lat: number, lng: number, label?: string): string {
  const point = `${lat.toFixed(6)},${lng.toFixed(6)}`;
  const query = label ? `${point}(${encodeURIComponent(label)})` : point;
  return `geo:${point}?q=${query}`;
}

/**
 * Amap's (高德) web marker, which hands over to the app when installed.
 * Positions are WGS-84: `coordinate=wgs84` lets Amap convert them to its GCJ-02.
 */
export function amapMarkerUrl(lat: number, lng: number, name?: string): string {
  const params = new URLSearchParams({
    position: `${lng.toFixed(6)},${lat.toFixed(6)}`,
    coordinate: 'wgs84',
    callnative: '1',
  });
  if (name) params.set('name', name);
  return `https://uri.amap.com/marker?${params.toString()}`;
}

const HAN = /\p{Script=Han}/u;

/**
 * Some server messages come in both languages, `中文 / English`: keep the
 * half for the page's language. Anything else is shown as it is.
 */
export function serverMessageIn(message: string, lang: 'zh-CN' | 'en'): string {
  const at = message.indexOf(' / ');
  if (at < 0) return message;
  const zh = message.slice(0, at).trim();
  const en = message.slice(at + 3).trim();
  if (!HAN.test(zh) || HAN.test(en) || zh === '' || en === '') return message;
  return lang === 'en' ? en : zh;
}

/**
 * The server's refusal in the page's language, with the fields a 400 names
 * (`details: [{ path, message }]`) after it: "Invalid request body
 * (displayName: Too big)".
 */
export function refusalText(message: string, details: unknown, lang: 'zh-CN' | 'en'): string {
  const said = serverMessageIn(message, lang);
  const fields = (Array.isArray(details) ? (details as unknown[]) : [])
    .flatMap((item) => {
      if (typeof item !== 'object' || item === null) return [];
      const { path, message: problem } = item as { path?: unknown; message?: unknown };
      if (typeof problem !== 'string') return [];
      return [typeof path === 'string' && path !== '' ? `${path}: ${problem}` : problem];
    })
    .join('; ');
  if (fields === '') return said;
  return lang === 'en' ? `${said} (${fields})` : `${said}（${fields}）`;
}
