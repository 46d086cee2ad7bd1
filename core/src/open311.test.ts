import { describe, expect, it } from 'vitest';
import {
  answeredAttributes,
  blurCoordinate,
  categoryAttributeSchema,
  categoryAttributesSchema,
  checkAttributeAnswers,
  formatW3cDateTime,
  normalizeLineBreaks,
  open311DefinitionOf,
  open311LocaleOf,
  open311RequestOf,
  open311ServiceNotice,
  open311ServiceOf,
  open311StatusOf,
  open311UpdateKindOf,
  open311UpdateText,
  open311Window,
  OPEN311_MAX_WINDOW_DAYS,
  parseOpen311StatusFilter,
  parseW3cDateTime,
  redactPhoneNumbers,
  storedCategoryAttributes,
  ticketStatusesOf,
  type CategoryAttribute,
  type CategoryAttributeInput,
  type Open311TicketView,
} from './open311.ts';
import { TICKET_STATUSES } from './tickets.ts';
import type { DeadlinePolicy, PriorityPolicy } from './categories.ts';

const option = (key: string) => ({ key, name: { zh: key, en: key } });
const text = (value: string) => ({ zh: value, en: value });

const DEFINITIONS: CategoryAttribute[] = categoryAttributesSchema.parse([
  { code: 'NOTICE', variable: false, datatype: 'text', order: 0, description: text('notice') },
  {
    code: 'FAULT',
    datatype: 'singlevaluelist',
    required: true,
    order: 1,
    description: text('fault'),
    values: [option('OUT'), option('FLICKERING')],
  },
  {
    code: 'KINDS',
    datatype: 'multivaluelist',
    order: 2,
    description: text('kinds'),
    values: [option('A'), option('B'), option('C')],
  },
  { code: 'AREA', datatype: 'number', order: 3, description: text('area') },
  { code: 'SEEN_AT', datatype: 'datetime', order: 4, description: text('seen') },
  { code: 'POLE', datatype: 'string', order: 5, description: text('pole') },
  { code: 'DETAILS', datatype: 'text', order: 6, description: text('details') },
] satisfies CategoryAttributeInput[]);

const answers = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe('category attribute definitions', () => {
  it('fills the defaults: variable, not required, no hint, no values', () => {
    const parsed = categoryAttributeSchema.parse({
      code: 'POLE',
      datatype: 'string',
      order: 1,
      description: text('pole'),
    });
    expect(parsed).toMatchObject({
      variable: true,
      required: false,
      datatypeDescription: null,
      values: [],
    });
  });

  it.each([
    ['a list without values', { datatype: 'singlevaluelist', values: [] }],
    ['values on a number', { datatype: 'number', values: [option('X')] }],
    ['a key twice', { datatype: 'multivaluelist', values: [option('X'), option('X')] }],
    ['a required notice', { datatype: 'text', variable: false, required: true }],
    ['a code with a space', { datatype: 'string', code: 'POLE NUMBER' }],
    ['an unknown datatype', { datatype: 'boolean' }],
    ['a key with a bracket', { datatype: 'singlevaluelist', values: [option('A]')] }],
  ])('refuses %s', (_what, change) => {
    const attribute = { code: 'X', order: 1, description: text('x'), ...change };
    expect(categoryAttributeSchema.safeParse(attribute).success).toBe(false);
  });

  it('refuses the same code twice in one category, in any case', () => {
    const attribute = { datatype: 'string', order: 1, description: text('x') } as const;
    const result = categoryAttributesSchema.safeParse([
      { ...attribute, code: 'POLE' },
      { ...attribute, code: 'pole' },
    ]);
    expect(result.success).toBe(false);
  });

  it('reads nothing from a missing or broken stored column', () => {
    expect(storedCategoryAttributes(null)).toEqual([]);
    expect(storedCategoryAttributes({ not: 'a list' })).toEqual([]);
    expect(storedCategoryAttributes(DEFINITIONS)).toEqual(DEFINITIONS);
  });
});

describe('checkAttributeAnswers', () => {
  it('keeps checked answers by code: numbers as numbers, lists as keys, datetimes in UTC', () => {
    const result = checkAttributeAnswers(
      DEFINITIONS,
      answers({
        FAULT: ['OUT'],
        KINDS: ['A', 'C', 'A'],
        AREA: [' 2.5 '],
        SEEN_AT: ['2026-11-22T08:30:00+08:00'],
        POLE: ['TD-0231'],
        DETAILS: ['line one\r\nline two\rthree'],
      }),
    );
    expect(result).toEqual({
      ok: true,
      answers: {
        FAULT: 'OUT',
        KINDS: ['A', 'C'],
        AREA: 2.5,
        SEEN_AT: '2026-11-22T00:30:00.000Z',
        POLE: 'TD-0231',
        DETAILS: 'line one\nline two\nthree',
      },
    });
  });

  it('needs the required answers and drops notices, empty answers and unknown codes', () => {
    expect(checkAttributeAnswers(DEFINITIONS, answers({ KINDS: ['A'] }))).toEqual({
      ok: false,
      problems: ['attribute[FAULT] is required'],
    });
    expect(checkAttributeAnswers(DEFINITIONS, answers({ FAULT: ['  '] })).ok).toBe(false);
    expect(
      checkAttributeAnswers(
        DEFINITIONS,
        answers({ FAULT: ['OUT'], NOTICE: ['x'], UNKNOWN: ['y'], POLE: [''] }),
      ),
    ).toEqual({ ok: true, answers: { FAULT: 'OUT' } });
  });

  it('matches codes case-insensitively when no code matches exactly', () => {
    expect(checkAttributeAnswers(DEFINITIONS, answers({ fault: ['FLICKERING'] }))).toEqual({
      ok: true,
      answers: { FAULT: 'FLICKERING' },
    });
  });

  it.each([
    [
      'a key not in the list',
      { FAULT: ['BROKEN'] },
      'attribute[FAULT]: BROKEN not among OUT, FLICKERING',
    ],
    ['two values for a single value list', { FAULT: ['OUT', 'FLICKERING'] }, 'takes one value'],
    ['an unknown key among many', { FAULT: ['OUT'], KINDS: ['A', 'Z'] }, 'Z not among A, B, C'],
    ['a number in words', { FAULT: ['OUT'], AREA: ['two'] }, 'attribute[AREA] must be a number'],
    ['NaN', { FAULT: ['OUT'], AREA: ['NaN'] }, 'must be a number'],
    ['an exponent overflow', { FAULT: ['OUT'], AREA: ['1e999'] }, 'must be a number'],
    ['a hex number', { FAULT: ['OUT'], AREA: ['0x10'] }, 'must be a number'],
    [
      'a date that is no date',
      { FAULT: ['OUT'], SEEN_AT: ['yesterday'] },
      'SEEN_AT] must be a date',
    ],
    ['an overlong string', { FAULT: ['OUT'], POLE: ['x'.repeat(201)] }, 'longer than 200'],
  ])('refuses %s', (_what, given, problem) => {
    const result = checkAttributeAnswers(DEFINITIONS, answers(given));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.join('; ')).toContain(problem);
  });

  it('names every problem at once', () => {
    const result = checkAttributeAnswers(DEFINITIONS, answers({ AREA: ['x'], KINDS: ['Q'] }));
    expect(result.ok ? 0 : result.problems.length).toBe(3);
  });
});

describe('W3C date-times', () => {
  it.each([
    ['2026-11-22T08:30:00+08:00', '2026-11-22T00:30:00.000Z'],
    ['2026-11-22T00:30:00Z', '2026-11-22T00:30:00.000Z'],
    ['2026-11-22t00:30:00z', '2026-11-22T00:30:00.000Z'],
    ['2026-11-22T00:30:00.123456Z', '2026-11-22T00:30:00.123Z'],
    ['2026-11-21T19:30:00-05:00', '2026-11-22T00:30:00.000Z'],
    ['2026-11-22T08:30:00+0800', '2026-11-22T00:30:00.000Z'],
    ['2026-11-22T08:30+08:00', '2026-11-22T00:30:00.000Z'],
    ['2026-11-22 08:30:00+08:00', '2026-11-22T00:30:00.000Z'],
    // No zone: the city's (+08:00).
    ['2026-11-22T08:30:00', '2026-11-22T00:30:00.000Z'],
    ['2026-11-22', '2026-11-21T16:00:00.000Z'],
  ])('reads %s', (input, iso) => {
    expect(parseW3cDateTime(input)?.toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '',
    '2026-13-01',
    '2026-02-30',
    '2026-11-22T24:00:00Z',
    '2026-11-22T08:60:00Z',
    '2026-11-22T08:30:00+15:00',
    '22/11/2026',
    '1732233600',
    '2026-11-22T08:30:00+08:00 and more',
  ])('refuses %j', (input) => {
    expect(parseW3cDateTime(input)).toBeNull();
  });

  it('writes whole seconds with the zone, +08:00 by default', () => {
    const at = new Date('2026-11-22T00:30:05.987Z');
    expect(formatW3cDateTime(at)).toBe('2026-11-22T08:30:05+08:00');
    expect(formatW3cDateTime(at, 0)).toBe('2026-11-22T00:30:05Z');
    expect(formatW3cDateTime(at, -330)).toBe('2026-11-21T19:00:05-05:30');
    expect(parseW3cDateTime(formatW3cDateTime(at))?.toISOString()).toBe('2026-11-22T00:30:05.000Z');
  });
});

describe('the 90-day window of list calls', () => {
  const now = new Date('2026-11-22T00:00:00Z');
  const days = (n: number) => n * 24 * 3600 * 1000;
  const at = (offsetDays: number) => new Date(now.getTime() + days(offsetDays));

  it('defaults to the last 90 days', () => {
    expect(open311Window({ start: null, end: null }, now)).toEqual({
      ok: true,
      start: at(-OPEN311_MAX_WINDOW_DAYS),
      end: now,
    });
  });

  it('runs 90 days from a start or up to an end given alone', () => {
    expect(open311Window({ start: at(-200), end: null }, now)).toEqual({
      ok: true,
      start: at(-200),
      end: at(-110),
    });
    expect(open311Window({ start: null, end: at(-10) }, now)).toEqual({
      ok: true,
      start: at(-100),
      end: at(-10),
    });
  });

  it('takes both bounds up to exactly 90 days apart', () => {
    expect(open311Window({ start: at(-90), end: now }, now).ok).toBe(true);
    expect(open311Window({ start: now, end: now }, now).ok).toBe(true);
  });

  it('refuses more than 90 days, or an end before the start', () => {
    expect(open311Window({ start: at(-90), end: new Date(now.getTime() + 1) }, now)).toEqual({
      ok: false,
      message: 'start_date and end_date may be at most 90 days apart',
    });
    expect(open311Window({ start: now, end: at(-1) }, now)).toEqual({
      ok: false,
      message: 'end_date is before start_date',
    });
  });
});

describe('status', () => {
  it('is open while someone still has to act and closed once done, cancelled or merged', () => {
    const open = TICKET_STATUSES.filter((status) => open311StatusOf(status) === 'open');
    expect(open).toEqual(['NEW', 'ASSIGNED', 'ACCEPTED', 'IN_PROGRESS', 'PENDING', 'REOPENED']);
    expect(ticketStatusesOf(['closed'])).toEqual([
      'RESOLVED',
      'VERIFIED',
      'CLOSED',
      'CANCELLED',
      'DUPLICATE',
    ]);
    expect(ticketStatusesOf(['open', 'closed'])).toEqual([...TICKET_STATUSES]);
  });

  it.each([
    [undefined, ['open', 'closed']],
    ['', ['open', 'closed']],
    ['open', ['open']],
    ['CLOSED', ['closed']],
    ['open,closed', ['open', 'closed']],
    [' closed , open ,', ['closed', 'open']],
    ['open,open', ['open']],
  ])('reads the filter %j', (raw, statuses) => {
    expect(parseOpen311StatusFilter(raw)).toEqual({ ok: true, statuses });
  });

  it('refuses statuses Open311 does not know', () => {
    expect(parseOpen311StatusFilter('open,pending')).toEqual({
      ok: false,
      message: 'status must be open, closed or both, not pending',
    });
  });
});

describe('public updates', () => {
  const event = (type: string, data: Record<string, unknown>) => ({
    type,
    toStatus: null,
    data,
  });

  it('shows creation and the lifecycle steps, not assignments, escalations, reminders or ratings', () => {
    expect(open311UpdateKindOf(event('ticket.created', { channel: 'WEB' }))).toBe('created');
    expect(open311UpdateKindOf(event('ticket.accepted', { action: 'accept' }))).toBe('accept');
    expect(open311UpdateKindOf(event('ticket.closed', { action: 'auto-close' }))).toBe(
      'auto-close',
    );
    for (const data of [
      { level: 0, automatic: true },
      { action: 'escalate' },
      { action: 'reminder' },
      { action: 'rated' },
      { action: 'assign' },
      { action: 'transfer' },
      { action: 'summon' },
    ]) {
      expect(open311UpdateKindOf(event('ticket.updated', data))).toBeNull();
    }
  });

  it('says what happened with the note, phone numbers masked, never who', () => {
    expect(open311UpdateText(event('ticket.accepted', { action: 'accept' }), 'zh')).toBe(
      '已接单，正在安排处置',
    );
    expect(
      open311UpdateText(
        event('ticket.resolved', { action: 'resolve', note: '已更换阀门，联系 138 0013 8000' }),
        'zh',
      ),
    ).toBe('已办结：已更换阀门，联系 138****8000');
    expect(
      open311UpdateText(
        event('ticket.updated', { action: 'pend', reason: 'Waiting\r\nfor keys' }),
        'en',
      ),
    ).toBe('On hold: Waiting\nfor keys');
    expect(
      open311UpdateText(
        event('ticket.closed', { action: 'merge', intoCode: 'GL-261122-AAAAAA' }),
        'en',
      ),
    ).toBe('Merged with the same request: GL-261122-AAAAAA');
    expect(
      open311UpdateText(
        event('ticket.closed', { action: 'auto-close', reason: 'rating window passed' }),
        'en',
      ),
    ).toBe('Closed');
    expect(open311UpdateText(event('ticket.escalated', { action: 'escalate' }), 'en')).toBeNull();
  });

  it('masks runs of seven or more digits and leaves shorter numbers', () => {
    expect(redactPhoneNumbers('call 0412-2345678 or +86 13800138000, room 1203')).toBe(
      'call 041****5678 or 861****8000, room 1203',
    );
  });
});

describe('mapping', () => {
  const level = (acceptMinutes: number, resolveMinutes: number): PriorityPolicy => ({
    acceptMinutes,
    resolveMinutes,
    reminders: [0.5],
    escalationAcceptMinutes: [5, 10, 15],
  });
  const policy: DeadlinePolicy = {
    URGENT: level(5, 120),
    HIGH: level(15, 1440),
    NORMAL: level(30, 7 * 1440),
    LOW: level(60, 14 * 1440),
  };
  const category = {
    code: 'STREET_LIGHT',
    names: { zh: '路灯故障', en: 'Street light out' },
    department: '城市管理局 City Management',
    policy,
    defaultPriority: 'NORMAL' as const,
    attributes: DEFINITIONS,
    pinyin: 'lu deng gu zhang',
    initials: 'ldgz',
  };

  it('lists a category as a service, in either language', () => {
    expect(open311ServiceOf(category, 'zh')).toEqual({
      service_code: 'STREET_LIGHT',
      service_name: '路灯故障',
      description: '路灯故障 (Street light out)',
      metadata: true,
      type: 'realtime',
      keywords: '路灯故障,Street light out,lu deng gu zhang,ldgz',
      group: '城市管理局 City Management',
    });
    expect(open311ServiceOf({ ...category, attributes: [] }, 'en')).toMatchObject({
      service_name: 'Street light out',
      metadata: false,
    });
  });

  it('defines its attributes in order, with the keys and names of list values', () => {
    const definition = open311DefinitionOf(
      { ...category, attributes: [...DEFINITIONS].reverse() },
      'en',
    );
    expect(definition.attributes.map((attribute) => attribute.code)).toEqual(
      DEFINITIONS.map((attribute) => attribute.code),
    );
    expect(definition.attributes[1]).toEqual({
      variable: true,
      code: 'FAULT',
      datatype: 'singlevaluelist',
      required: true,
      datatype_description: null,
      order: 1,
      description: 'fault',
      values: [
        { key: 'OUT', name: 'OUT' },
        { key: 'FLICKERING', name: 'FLICKERING' },
      ],
    });
  });

  it('promises the deadlines of the priority', () => {
    expect(open311ServiceNotice(policy.NORMAL, 'zh')).toBe('30 分钟内响应，7 天内办结');
    expect(open311ServiceNotice(policy.HIGH, 'en')).toBe(
      'Response within 15 min, resolution within 1 day',
    );
    expect(open311ServiceNotice(level(90, 150), 'en')).toBe(
      'Response within 1.5 h, resolution within 2.5 h',
    );
  });

  const ticket: Open311TicketView = {
    code: 'GL-261122-7K3Q9M',
    status: 'ACCEPTED',
    priority: 'NORMAL',
    description: '路灯不亮',
    address: '铁东区和平街道 12 号',
    lat: 41.1234567,
    lng: 122.9876543,
    mediaUrl: 'https://example.org/p.jpg',
    createdAt: new Date('2026-11-22T00:00:00Z'),
    updatedAt: new Date('2026-11-22T01:00:00Z'),
    acceptBy: new Date('2026-11-22T00:30:00Z'),
    resolveBy: new Date('2026-11-29T00:00:00Z'),
    category: { ...category, sensitive: false },
    latestUpdate: { type: 'ticket.accepted', toStatus: 'ACCEPTED', data: { action: 'accept' } },
  };

  it('maps a ticket to a service request without the reporter', () => {
    expect(open311RequestOf(ticket, 'zh')).toEqual({
      service_request_id: 'GL-261122-7K3Q9M',
      status: 'open',
      status_notes: '已接单，正在安排处置',
      service_name: '路灯故障',
      service_code: 'STREET_LIGHT',
      description: '路灯不亮',
      agency_responsible: '城市管理局 City Management',
      service_notice: '30 分钟内响应，7 天内办结',
      requested_datetime: '2026-11-22T08:00:00+08:00',
      updated_datetime: '2026-11-22T09:00:00+08:00',
      expected_datetime: '2026-11-29T08:00:00+08:00',
      address: '铁东区和平街道 12 号',
      address_id: null,
      zipcode: null,
      lat: 41.1234567,
      long: 122.9876543,
      media_url: 'https://example.org/p.jpg',
    });
  });

  it('masks phone numbers the reporter typed into the description', () => {
    expect(
      open311RequestOf({ ...ticket, description: '路灯不亮，请联系 13912345678' }, 'zh')
        .description,
    ).toBe('路灯不亮，请联系 139****5678');
  });

  it('blurs sensitive categories to about 100 m and leaves their address out', () => {
    const request = open311RequestOf(
      { ...ticket, category: { ...ticket.category, sensitive: true } },
      'en',
    );
    expect(request).toMatchObject({ lat: 41.123, long: 122.988, address: null });
    expect(blurCoordinate(-0.0004)).toBe(-0);
  });

  it('expects the accept deadline when no resolve deadline is set', () => {
    expect(
      open311RequestOf({ ...ticket, resolveBy: null, latestUpdate: null }, 'en'),
    ).toMatchObject({ expected_datetime: '2026-11-22T08:30:00+08:00', status_notes: null });
  });
});

describe('small readers', () => {
  it('takes English only when asked for', () => {
    expect(open311LocaleOf('en')).toBe('en');
    expect(open311LocaleOf('en-GB')).toBe('en');
    expect(open311LocaleOf('zh-CN')).toBe('zh');
    expect(open311LocaleOf(undefined)).toBe('zh');
    expect(open311LocaleOf('english')).toBe('zh');
  });

  it('normalises line breaks', () => {
    expect(normalizeLineBreaks('  a\r\nb\rc\n  ')).toBe('a\nb\nc');
  });
});

describe('answered attributes for staff', () => {
  const definitions = categoryAttributesSchema.parse([
    {
      code: 'WHEN',
      datatype: 'singlevaluelist',
      description: { zh: '什么时候', en: 'When' },
      order: 2,
      values: [
        { key: 'NIGHT', name: { zh: '夜间', en: 'At night' } },
        { key: 'DAY', name: { zh: '白天', en: 'By day' } },
      ],
    },
    {
      code: 'SOURCE',
      datatype: 'multivaluelist',
      description: { zh: '声源', en: 'Source' },
      order: 1,
      values: [
        { key: 'KTV', name: { zh: 'KTV', en: 'Karaoke' } },
        { key: 'WORKS', name: { zh: '施工', en: 'Building works' } },
      ],
    },
  ]);

  it('reads list keys as names, in the order the questions are asked', () => {
    expect(
      answeredAttributes(definitions, { WHEN: 'NIGHT', SOURCE: ['KTV', 'WORKS'], OLD: 3 }),
    ).toEqual([
      {
        code: 'SOURCE',
        question: { zh: '声源', en: 'Source' },
        answer: { zh: 'KTV、施工', en: 'Karaoke, Building works' },
      },
      {
        code: 'WHEN',
        question: { zh: '什么时候', en: 'When' },
        answer: { zh: '夜间', en: 'At night' },
      },
      { code: 'OLD', question: { zh: 'OLD', en: 'OLD' }, answer: { zh: '3', en: '3' } },
    ]);
    expect(answeredAttributes(definitions, null)).toEqual([]);
    expect(answeredAttributes(definitions, ['x'])).toEqual([]);
  });
});
