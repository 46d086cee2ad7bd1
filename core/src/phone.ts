/**
 * Caller phone numbers of mainland China, as a call-taker types them:
 * mobiles (138 0013 8000, +86 138-0013-8000) and landlines with an area code
 * (0412-2345678, (010) 8765 4321) or, for a caller in the same city, without
 * (2345678). Pure.
 */

export type PhoneKind = 'mobile' | 'landline' | 'local';

export type PhoneProblem =
  /** Nothing typed. */
  | 'empty'
  /** Letters or symbols other than spaces, dashes, brackets and a leading +. */
  | 'characters'
  /** Starts like a mobile (1…) but has not 11 digits. */
  | 'mobileLength'
  /** Starts like a mobile but 1[3-9] is not a mobile prefix. */
  | 'mobilePrefix'
  /** Starts with 0 but is no area code plus a 7–8 digit number. */
  | 'landline'
  /** Anything else: too short, too long, a foreign number. */
  | 'format';

export type PhoneCheck =
  | {
      ok: true;
      kind: PhoneKind;
      /** Digits only, area code and number joined by a dash. */ normalized: string;
    }
  | { ok: false; problem: PhoneProblem };

/** Area code (without the 0) and the number, for a string of digits that starts with 0. */
function splitLandline(digits: string): { area: string; number: string } | null {
  const twoDigitArea = /^0(10|2\d)([2-9]\d{7})$/.exec(digits);
  if (twoDigitArea) return { area: `0${twoDigitArea[1]!}`, number: twoDigitArea[2]! };
  const threeDigitArea = /^0([3-9]\d{2})([2-9]\d{6,7})$/.exec(digits);
  if (threeDigitArea) return { area: `0${threeDigitArea[1]!}`, number: threeDigitArea[2]! };
  return null;
}

export function checkPhone(input: string): PhoneCheck {
  const trimmed = input.normalize('NFKC').trim();
  if (trimmed === '') return { ok: false, problem: 'empty' };
  if (!/^\+?[\d\s\-()（）]+$/.test(trimmed)) return { ok: false, problem: 'characters' };
  let digits = trimmed.replace(/\D/g, '');
  const international = trimmed.startsWith('+') || digits.startsWith('0086');
  if (trimmed.startsWith('+')) {
    if (!digits.startsWith('86')) return { ok: false, problem: 'format' };
    digits = digits.slice(2);
  } else if (digits.startsWith('0086')) {
    digits = digits.slice(4);
  } else if (digits.startsWith('86') && digits.length === 13) {
    digits = digits.slice(2);
  }
  // After +86 a landline drops its leading 0: +86 412 2345678.
  if (international && /^[2-9]/.test(digits)) digits = `0${digits}`;

  if (digits.startsWith('1')) {
    if (digits.length !== 11) return { ok: false, problem: 'mobileLength' };
    if (!/^1[3-9]/.test(digits)) return { ok: false, problem: 'mobilePrefix' };
    return { ok: true, kind: 'mobile', normalized: digits };
  }
  if (digits.startsWith('0')) {
    const landline = splitLandline(digits);
    if (!landline) return { ok: false, problem: 'landline' };
    return { ok: true, kind: 'landline', normalized: `${landline.area}-${landline.number}` };
  }
  if (/^[2-9]\d{6,7}$/.test(digits)) return { ok: true, kind: 'local', normalized: digits };
  return { ok: false, problem: 'format' };
}
