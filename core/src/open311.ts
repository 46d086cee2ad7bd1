/**
 * Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the standard door in
 * for other systems. The attribute definitions a category carries (its
 * service definition), the checks on submitted attribute values, the time
 * window rules of GET requests, the status mapping and the pure mapping of
 * categories, tickets and timeline events to what the calls answer. Pure.
 */
import { z } from 'zod';
import type { DeadlinePolicy, Priority, PriorityPolicy } from './categories.ts';
import { OPEN_STATUSES, TICKET_STATUSES, type TicketStatus } from './tickets.ts';

// ---------------------------------------------------------------------------
// Category attributes (the service definition)

export const OPEN311_DATATYPES = [
  'string',
  'number',
  'datetime',
  'text',
  'singlevaluelist',
  'multivaluelist',
] as const;
export type Open311Datatype = (typeof OPEN311_DATATYPES)[number];

export const LIST_DATATYPES: readonly Open311Datatype[] = ['singlevaluelist', 'multivaluelist'];

/** The most attributes one category may define. */
export const MAX_CATEGORY_ATTRIBUTES = 20;
/** The longest `string` answer; `text` answers may be as long as a description. */
export const MAX_ATTRIBUTE_STRING_LENGTH = 200;
export const MAX_ATTRIBUTE_TEXT_LENGTH = 2000;

const bilingual = (max: number) =>
  z.strictObject({
    zh: z.string().trim().min(1).max(max),
    en: z.string().trim().min(1).max(max),
  });

export const categoryAttributeOptionSchema = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - or _ (at most 40)'),
  name: bilingual(60),
});
export type CategoryAttributeOption = z.infer<typeof categoryAttributeOptionSchema>;

/**
 * One question a report of the category answers. `variable: false` only shows
 * its description (a notice); list datatypes offer `values`.
 */
export const categoryAttributeSchema = z
  .strictObject({
    code: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, 'letters, digits and _, starting with a letter'),
    variable: z.boolean().default(true),
    datatype: z.enum(OPEN311_DATATYPES),
    required: z.boolean().default(false),
    /** The question as the reporter reads it. */
    description: bilingual(300),
    /** A hint on the expected answer ("in square metres"). */
    datatypeDescription: bilingual(200).nullable().default(null),
    order: z.number().int().min(0).max(1000),
    values: z.array(categoryAttributeOptionSchema).max(50).default([]),
  })
  .superRefine((attribute, context) => {
    const isList = LIST_DATATYPES.includes(attribute.datatype);
    if (isList && attribute.values.length === 0) {
      context.addIssue({ code: 'custom', path: ['values'], message: 'a list needs values' });
    }
    if (!isList && attribute.values.length > 0) {
      context.addIssue({
        code: 'custom',
        path: ['values'],
        message: `only list datatypes have values, not ${attribute.datatype}`,
      });
    }
    const keys = attribute.values.map((value) => value.key);
    keys.forEach((key, index) => {
      if (keys.indexOf(key) !== index) {
        context.addIssue({
          code: 'custom',
          path: ['values', index, 'key'],
          message: `${key} appears twice`,
        });
      }
    });
    if (!attribute.variable && attribute.required) {
      context.addIssue({
        code: 'custom',
        path: ['required'],
        message: 'a notice (variable false) takes no answer, so it cannot be required',
      });
    }
  });
export type CategoryAttribute = z.infer<typeof categoryAttributeSchema>;
export type CategoryAttributeInput = z.input<typeof categoryAttributeSchema>;

export const categoryAttributesSchema = z
  .array(categoryAttributeSchema)
  .max(MAX_CATEGORY_ATTRIBUTES)
  .superRefine((attributes, context) => {
    const codes = attributes.map((attribute) => attribute.code.toLowerCase());
    codes.forEach((code, index) => {
      if (codes.indexOf(code) !== index) {
        context.addIssue({
          code: 'custom',
          path: [index, 'code'],
          message: `${attributes[index]!.code} appears twice`,
        });
      }
    });
  });

/** The attributes kept in a category's JSON column; none when absent or unreadable. */
export function storedCategoryAttributes(json: unknown): CategoryAttribute[] {
  if (json === null || json === undefined) return [];
  const parsed = categoryAttributesSchema.safeParse(json);
  return parsed.success ? parsed.data : [];
}

/** What a ticket keeps of the answers, by attribute code. */
export type AttributeAnswer = string | number | string[];
export type AttributeAnswers = Record<string, AttributeAnswer>;

export type AttributeCheck =
  | { ok: true; answers: AttributeAnswers }
  | { ok: false; problems: string[] };

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Line breaks as `\n` (CRLF and lone CR from form posts), trimmed. */
export function normalizeLineBreaks(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/**
 * Checks submitted answers (`attribute[CODE]`, each with every value given)
 * against the definitions: required ones present, numbers numbers, datetimes
 * with a zone, list keys among the values, one value for single-valued ones.
 * Codes match exactly, else case-insensitively; answers to codes the category
 * does not define, and to notices, are dropped.
 */
export function checkAttributeAnswers(
  definitions: readonly CategoryAttribute[],
  submitted: ReadonlyMap<string, readonly string[]>,
): AttributeCheck {
  const byLowerCode = new Map<string, string[]>();
  for (const [code, values] of submitted) {
    const lower = code.toLowerCase();
    byLowerCode.set(lower, [...(byLowerCode.get(lower) ?? []), ...values]);
  }
  const answers: AttributeAnswers = {};
  const problems: string[] = [];
  for (const definition of definitions) {
    if (!definition.variable) continue;
    const given = submitted.get(definition.code) ?? byLowerCode.get(definition.code.toLowerCase());
    const values = [...new Set((given ?? []).map((value) => value.trim()))].filter(
      (value) => value !== '',
    );
    const name = `attribute[${definition.code}]`;
    if (values.length === 0) {
      if (definition.required) problems.push(`${name} is required`);
      continue;
    }
    if (definition.datatype === 'multivaluelist') {
      const keys = definition.values.map((value) => value.key);
      const unknown = values.filter((value) => !keys.includes(value));
      if (unknown.length > 0) {
        problems.push(`${name}: ${unknown.join(', ')} not among ${keys.join(', ')}`);
      } else {
        answers[definition.code] = values;
      }
      continue;
    }
    if (values.length > 1) {
      problems.push(`${name} takes one value, got ${values.length}`);
      continue;
    }
    const value = values[0]!;
    switch (definition.datatype) {
      case 'string':
      case 'text': {
        const text = normalizeLineBreaks(value);
        const max =
          definition.datatype === 'string'
            ? MAX_ATTRIBUTE_STRING_LENGTH
            : MAX_ATTRIBUTE_TEXT_LENGTH;
        if (text.length > max) problems.push(`${name} is longer than ${max} characters`);
        else answers[definition.code] = text;
        break;
      }
      case 'number': {
        const number = Number(value);
        if (!NUMBER.test(value) || !Number.isFinite(number)) {
          problems.push(`${name} must be a number`);
        } else {
          answers[definition.code] = number;
        }
        break;
      }
      case 'datetime': {
        const at = parseW3cDateTime(value);
        if (at === null) {
          problems.push(`${name} must be a date and time such as 2026-11-22T08:30:00+08:00`);
        } else {
          answers[definition.code] = at.toISOString();
        }
        break;
      }
      case 'singlevaluelist': {
        const keys = definition.values.map((option) => option.key);
        if (!keys.includes(value)) problems.push(`${name}: ${value} not among ${keys.join(', ')}`);
        else answers[definition.code] = value;
        break;
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, answers };
}

// ---------------------------------------------------------------------------
// Dates (W3C date-time profile of ISO 8601, always with a zone on output)

/** The city's offset from UTC: China keeps +08:00 all year. */
export const CITY_UTC_OFFSET_MINUTES = 480;

const W3C_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A W3C date or date-time. A date alone, or a time without a zone, is read in
 * the city's zone. Null when it is no such thing or names no real day.
 */
export function parseW3cDateTime(
  text: string,
  defaultOffsetMinutes = CITY_UTC_OFFSET_MINUTES,
): Date | null {
  const match = W3C_DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] =
    match;
  const numbers = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [y, mo, d, h, mi, s] = numbers;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3)));
  // Date.UTC rolls 31 February over into March: refuse days the month does not have.
  if (new Date(local).getUTCDate() !== d) return null;
  let offsetMinutes = defaultOffsetMinutes;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 14 || minutes > 59) return null;
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  } else if (zone !== undefined) {
    offsetMinutes = 0;
  }
  return new Date(local - offsetMinutes * 60_000);
}

/** `2026-11-22T16:30:05+08:00`: whole seconds, with the zone. */
export function formatW3cDateTime(date: Date, offsetMinutes = CITY_UTC_OFFSET_MINUTES): string {
  const shifted = new Date(Math.floor(date.getTime() / 1000) * 1000 + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const pad = (value: number) => String(value).padStart(2, '0');
  const zone =
    offsetMinutes === 0 ? 'Z' : `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
  return `${shifted.toISOString().slice(0, 19)}${zone}`;
}

/** GET requests and servicerequestupdates look at most this far at once. */
export const OPEN311_MAX_WINDOW_DAYS = 90;
/** The most requests (or updates) one call answers; requests newest first. */
export const OPEN311_RESULT_LIMIT = 1000;

const DAY_MS = 24 * 3600 * 1000;

export type Open311Window = { ok: true; start: Date; end: Date } | { ok: false; message: string };

/**
 * The window a list call reads. Neither bound: the last 90 days. One bound:
 * 90 days from or up to it. Both: end not before start, at most 90 days apart.
 */
export function open311Window(
  bounds: { start: Date | null; end: Date | null },
  now: Date,
): Open311Window {
  const span = OPEN311_MAX_WINDOW_DAYS * DAY_MS;
  const { start, end } = bounds;
  if (start === null && end === null) {
    return { ok: true, start: new Date(now.getTime() - span), end: now };
  }
  if (start === null) return { ok: true, start: new Date(end!.getTime() - span), end: end! };
  if (end === null) return { ok: true, start, end: new Date(start.getTime() + span) };
  if (end.getTime() < start.getTime()) {
    return { ok: false, message: 'end_date is before start_date' };
  }
  if (end.getTime() - start.getTime() > span) {
    return {
      ok: false,
      message: `start_date and end_date may be at most ${OPEN311_MAX_WINDOW_DAYS} days apart`,
    };
  }
  return { ok: true, start, end };
}

// ---------------------------------------------------------------------------
// Status

export type Open311Status = 'open' | 'closed';

/** Open while someone still has to act; resolved, verified, closed, cancelled and merged are closed. */
export function open311StatusOf(status: TicketStatus): Open311Status {
  return OPEN_STATUSES.includes(status) ? 'open' : 'closed';
}

export type Open311StatusFilter =
  | { ok: true; statuses: Open311Status[] }
  | { ok: false; message: string };

/** `open`, `closed` or both, comma-separated, any case; empty means both. */
export function parseOpen311StatusFilter(raw: string | undefined): Open311StatusFilter {
  const parts = (raw ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
  if (parts.length === 0) return { ok: true, statuses: ['open', 'closed'] };
  const unknown = parts.filter((part) => part !== 'open' && part !== 'closed');
  if (unknown.length > 0) {
    return { ok: false, message: `status must be open, closed or both, not ${unknown.join(',')}` };
  }
  return { ok: true, statuses: [...new Set(parts as Open311Status[])] };
}

/** The ticket statuses behind Open311 statuses. */
export function ticketStatusesOf(statuses: readonly Open311Status[]): TicketStatus[] {
  return TICKET_STATUSES.filter((status) => statuses.includes(open311StatusOf(status)));
}

// ---------------------------------------------------------------------------
// Public updates: the timeline events outsiders see, and their notes

export type Open311Locale = 'zh' | 'en';

export function open311LocaleOf(raw: string | undefined): Open311Locale {
  return raw !== undefined && /^en\b/i.test(raw.trim()) ? 'en' : 'zh';
}

/** Timeline actions (the `action` of an event's payload) that outsiders see. */
export const OPEN311_PUBLIC_ACTIONS = [
  'accept',
  'start',
  'pend',
  'resume',
  'resolve',
  'verify',
  'close',
  'auto-close',
  'reopen',
  'cancel',
  'merge',
  'unmerge',
] as const;
type PublicAction = (typeof OPEN311_PUBLIC_ACTIONS)[number];
export type Open311UpdateKind = 'created' | PublicAction;

/** A stored timeline event, as far as the public view needs it. */
export interface Open311EventView {
  type: string;
  toStatus: TicketStatus | null;
  data: Record<string, unknown>;
}

export function open311UpdateKindOf(event: Open311EventView): Open311UpdateKind | null {
  if (event.type === 'ticket.created') return 'created';
  const action = event.data.action;
  return typeof action === 'string' &&
    (OPEN311_PUBLIC_ACTIONS as readonly string[]).includes(action)
    ? (action as PublicAction)
    : null;
}

const UPDATE_LABELS: Record<Open311UpdateKind, Record<Open311Locale, string>> = {
  created: { zh: '已受理', en: 'Received' },
  accept: { zh: '已接单，正在安排处置', en: 'Accepted; work is being arranged' },
  start: { zh: '正在处置', en: 'Work in progress' },
  pend: { zh: '暂缓处置', en: 'On hold' },
  resume: { zh: '恢复处置', en: 'Work resumed' },
  resolve: { zh: '已办结', en: 'Resolved' },
  verify: { zh: '已核查', en: 'Verified' },
  close: { zh: '已结案', en: 'Closed' },
  'auto-close': { zh: '已结案', en: 'Closed' },
  reopen: { zh: '已重新办理', en: 'Reopened' },
  cancel: { zh: '已撤销', en: 'Cancelled' },
  merge: { zh: '与相同诉求合并办理', en: 'Merged with the same request' },
  unmerge: { zh: '恢复单独办理', en: 'Handled on its own again' },
};

/** Runs of 7 or more digits (spaces, dashes and a leading + allowed between): phone numbers. */
const PHONE_LIKE = /\+?\d(?:[\s-]?\d){6,}/g;

/** Masks phone numbers in free text meant for the public (138****5678). */
export function redactPhoneNumbers(text: string): string {
  return text.replace(PHONE_LIKE, (match) => {
    const digits = match.replace(/\D/g, '');
    return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  });
}

function textOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = normalizeLineBreaks(value);
  return text === '' ? null : text;
}

/**
 * The public text of an update: what happened, then its note (the resolution
 * note, the reason for a pause, a reopening or a cancellation; a merge names
 * the ticket it went into), phone numbers masked. Never who did it.
 */
export function open311UpdateText(event: Open311EventView, locale: Open311Locale): string | null {
  const kind = open311UpdateKindOf(event);
  if (kind === null) return null;
  const label = UPDATE_LABELS[kind][locale];
  const note =
    kind === 'merge'
      ? textOf(event.data.intoCode)
      : kind === 'resolve' || kind === 'verify' || kind === 'close'
        ? textOf(event.data.note)
        : kind === 'pend' || kind === 'reopen' || kind === 'cancel' || kind === 'unmerge'
          ? textOf(event.data.reason)
          : null;
  if (note === null) return label;
  return `${label}${locale === 'zh' ? '：' : ': '}${redactPhoneNumbers(note)}`;
}

// ---------------------------------------------------------------------------
// What the calls answer (field names as the specification spells them; type
// aliases rather than interfaces, so that they are plain records for the XML)

export type Open311Service = {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime';
  /** Comma-separated, as the specification has it. */
  keywords: string;
  group: string;
};

export type Open311AttributeOption = {
  key: string;
  name: string;
};

export type Open311Attribute = {
  variable: boolean;
  code: string;
  datatype: Open311Datatype;
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values: Open311AttributeOption[];
};

export type Open311ServiceDefinition = {
  service_code: string;
  attributes: Open311Attribute[];
};

export type Open311CreatedRequest = {
  service_request_id: string;
  service_notice: string;
  account_id: null;
};

export type Open311ServiceRequest = {
  service_request_id: string;
  status: Open311Status;
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string;
  service_notice: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number;
  long: number;
  media_url: string | null;
};

export type Open311Token = {
  service_request_id: string;
  token: string;
};

export type Open311RequestUpdate = {
  update_id: string;
  service_request_id: string;
  status: Open311Status;
  updated_datetime: string;
  description: string;
  media_url: string | null;
};

export type Open311ErrorItem = {
  code: number;
  description: string;
};

/** A category as the Open311 calls need it. */
export interface Open311CategoryView {
  code: string;
  names: { zh: string; en: string };
  department: string;
  policy: DeadlinePolicy;
  defaultPriority: Priority;
  attributes: readonly CategoryAttribute[];
  /** Toneless pinyin and its initials, offered as keywords when known. */
  pinyin?: string;
  initials?: string;
}

export function open311ServiceOf(
  category: Open311CategoryView,
  locale: Open311Locale,
): Open311Service {
  const name = category.names[locale];
  const other = category.names[locale === 'zh' ? 'en' : 'zh'];
  const keywords = [category.names.zh, category.names.en, category.pinyin, category.initials]
    .filter((keyword): keyword is string => keyword !== undefined && keyword !== '')
    .map((keyword) => keyword.replaceAll(',', ' '));
  return {
    service_code: category.code,
    service_name: name,
    description: `${name} (${other})`,
    metadata: category.attributes.length > 0,
    type: 'realtime',
    keywords: [...new Set(keywords)].join(','),
    group: category.department,
  };
}

export function open311DefinitionOf(
  category: Open311CategoryView,
  locale: Open311Locale,
): Open311ServiceDefinition {
  const ordered = [...category.attributes].sort(
    (a, b) => a.order - b.order || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  return {
    service_code: category.code,
    attributes: ordered.map((attribute) => ({
      variable: attribute.variable,
      code: attribute.code,
      datatype: attribute.datatype,
      required: attribute.required,
      datatype_description: attribute.datatypeDescription?.[locale] ?? null,
      order: attribute.order,
      description: attribute.description[locale],
      values: attribute.values.map((option) => ({ key: option.key, name: option.name[locale] })),
    })),
  };
}

function duration(minutes: number, locale: Open311Locale): string {
  const round = (value: number) => Math.round(value * 10) / 10;
  if (minutes < 60) return locale === 'zh' ? `${round(minutes)} 分钟` : `${round(minutes)} min`;
  if (minutes < 24 * 60) {
    const hours = round(minutes / 60);
    return locale === 'zh' ? `${hours} 小时` : `${hours} h`;
  }
  const days = round(minutes / (24 * 60));
  return locale === 'zh' ? `${days} 天` : `${days} ${days === 1 ? 'day' : 'days'}`;
}

/** What the city promises for a request of this priority. */
export function open311ServiceNotice(policy: PriorityPolicy, locale: Open311Locale): string {
  const accept = duration(policy.acceptMinutes, locale);
  const resolve = duration(policy.resolveMinutes, locale);
  return locale === 'zh'
    ? `${accept}内响应，${resolve}内办结`
    : `Response within ${accept}, resolution within ${resolve}`;
}

/** Coordinates of sensitive categories are published to about 100 m. */
export function blurCoordinate(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * A ticket as GET requests needs it: no reporter fields, and phone numbers in
 * the description are masked.
 */
export interface Open311TicketView {
  code: string;
  status: TicketStatus;
  priority: Priority;
  description: string;
  address: string | null;
  lat: number;
  lng: number;
  mediaUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
  acceptBy: Date | null;
  resolveBy: Date | null;
  category: Open311CategoryView & { sensitive: boolean };
  /** The latest public timeline event (see open311UpdateKindOf). */
  latestUpdate: Open311EventView | null;
}

export function open311RequestOf(
  ticket: Open311TicketView,
  locale: Open311Locale,
): Open311ServiceRequest {
  const { category } = ticket;
  const expected = ticket.resolveBy ?? ticket.acceptBy;
  return {
    service_request_id: ticket.code,
    status: open311StatusOf(ticket.status),
    status_notes: ticket.latestUpdate ? open311UpdateText(ticket.latestUpdate, locale) : null,
    service_name: category.names[locale],
    service_code: category.code,
    // Reporters often type their phone number into the description: it stays with the staff.
    description: redactPhoneNumbers(ticket.description),
    agency_responsible: category.department,
    service_notice: open311ServiceNotice(category.policy[ticket.priority], locale),
    requested_datetime: formatW3cDateTime(ticket.createdAt),
    updated_datetime: formatW3cDateTime(ticket.updatedAt),
    expected_datetime: expected ? formatW3cDateTime(expected) : null,
    address: category.sensitive ? null : ticket.address,
    address_id: null,
    zipcode: null,
    lat: category.sensitive ? blurCoordinate(ticket.lat) : ticket.lat,
    long: category.sensitive ? blurCoordinate(ticket.lng) : ticket.lng,
    media_url: ticket.mediaUrl,
  };
}

// ---------------------------------------------------------------------------
// API keys (admin)

export const open311KeyIssueSchema = z.strictObject({
  /** Who will use the key, e.g. "12345 热线平台". */
  name: z.string().trim().min(1).max(100),
});
export type Open311KeyIssue = z.infer<typeof open311KeyIssueSchema>;

export interface Open311ApiKeyDto {
  id: number;
  name: string;
  /** The key's first characters, to tell keys apart; the key itself is never shown again. */
  prefix: string;
  /** Username of the admin who issued it. */
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The answer to issuing a key: the only time `key` is ever shown. */
export interface Open311IssuedKey {
  apiKey: Open311ApiKeyDto;
  key: string;
}

/** One answered attribute as staff read it: the question and the answer, in both languages. */
export interface AnsweredAttribute {
  code: string;
  question: { zh: string; en: string };
  answer: { zh: string; en: string };
}

/**
 * A ticket's stored answers beside its category's questions, in the
 * questions' order; list keys read as their names. Answers to questions the
 * category no longer asks keep their code as the question.
 */
export function answeredAttributes(
  definitions: readonly CategoryAttribute[],
  answers: unknown,
): AnsweredAttribute[] {
  if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) return [];
  const stored = answers as Record<string, unknown>;
  const text = (value: unknown): string[] =>
    Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
  const known = [...definitions].sort((a, b) => a.order - b.order);
  const rows: AnsweredAttribute[] = [];
  for (const definition of known) {
    const values = text(stored[definition.code]);
    if (values.length === 0) continue;
    const named = (lang: 'zh' | 'en') =>
      values
        .map(
          (value) => definition.values.find((option) => option.key === value)?.name[lang] ?? value,
        )
        .join(lang === 'zh' ? '、' : ', ');
    rows.push({
      code: definition.code,
      question: definition.description,
      answer: { zh: named('zh'), en: named('en') },
    });
  }
  for (const [code, value] of Object.entries(stored)) {
    if (known.some((definition) => definition.code === code)) continue;
    const joined = text(value).join(', ');
    rows.push({ code, question: { zh: code, en: code }, answer: { zh: joined, en: joined } });
  }
  return rows;
}
