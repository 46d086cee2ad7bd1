import fc from 'fast-check';

/**
 * Arbitraries and checks for hostile-input tests: malformed values, near-valid
 * bodies with one field mutated, raw request bodies, query strings and path
 * segments, and the check that an HTTP answer is a 4xx in the error shape.
 */

/** Strings that have broken parsers, databases and templates before. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\r\n',
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '1_000',
  '١٢٣',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  "' OR '1'='1",
  "'; DROP TABLE tickets; --",
  '1); SELECT pg_sleep(5); --',
  '$1',
  '\\',
  '"',
  '%s%s%s%n',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%',
  '%zz',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\u202e\u0644\u0627',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  '💥🔥',
  '𝕏',
  'e\u0301',
  '网格通',
  'ＡＢＣ',
  '\r\nSet-Cookie: x=1',
  ' member ',
  'MEMBER',
  'x'.repeat(65),
  'x'.repeat(301),
  'x'.repeat(2001),
];

const controlChars = fc.string({
  unit: fc.integer({ min: 0, max: 31 }).map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 8,
});

/** Strings: the hostile list, any code points (lone surrogates included), control characters, huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
  { arbitrary: controlChars, weight: 1 },
  // Ordinary text with one character that databases and JSON encoders choke on.
  {
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 10 }),
        fc.constantFrom('\u0000', '\ud800', '\udfff', '\u001b', '\u202e', '\ufeff', '\u2028'),
        fc.string({ maxLength: 10 }),
      )
      .map(([before, odd, after]) => `${before}${odd}${after}`),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('x', '网', '\u0000', ' '), fc.integer({ min: 2001, max: 20_000 }))
      .map(([unit, count]) => unit.repeat(count)),
    weight: 1,
  },
);

const hostileNumber = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    1.5,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 53 + 2,
    1e308,
    -1e308,
    5e-324,
    91,
    -181,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Objects with own `__proto__` / `constructor` keys, as a JSON parser makes them. */
const pollution = fc
  .constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"__proto__":null}',
    '{"prototype":{}}',
    '{"toString":"x","valueOf":1}',
  )
  .map((text) => JSON.parse(text) as unknown);

const deepNesting = fc
  .tuple(fc.integer({ min: 20, max: 3000 }), fc.boolean())
  .map(([depth, arrays]) =>
    JSON.parse(arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : deepObject(depth)),
  ) as fc.Arbitrary<unknown>;

function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Any JSON value that has a chance of upsetting a handler. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}), weight: 2 },
  { arbitrary: pollution, weight: 2 },
  { arbitrary: deepNesting, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
);

/** A JSON-serialisable copy of `base` with the value at `path` replaced (or removed). */
export function mutate(
  base: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  remove = false,
): Record<string, unknown> {
  const copy = structuredClone(base);
  let target: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      target[key] = {};
    }
    target = target[key] as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (remove) delete target[last];
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true });
  return copy;
}

/** A path into a body: one of `fields`, or a prototype-pollution / unknown key at some level. */
export function fieldPath(fields: readonly (readonly string[])[]): fc.Arbitrary<string[]> {
  const odd = fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'status', 'version');
  return fc.oneof(
    { arbitrary: fc.constantFrom(...fields).map((path) => [...path]), weight: 5 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom<readonly string[]>([], ...fields.filter((p) => p.length === 1)), odd)
        .map(([parent, key]) => [...parent, key]),
      weight: 1,
    },
  );
}

/** Text for a header value (a ByteString without CR, LF or NUL, as fetch allows). */
export const headerText = (maxLength = 120): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      maxLength,
    }),
    fc.constantFrom(
      '',
      ' ',
      'short',
      'has space inside',
      'x'.repeat(101),
      "'; DROP TABLE idempotency_keys; --",
      '../../etc/passwd',
      '__proto__',
      'é-accent',
      'null',
    ),
  );

/** A path segment: numbers that are not ticket ids, traversal, encodings, unicode. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '-0',
    '1.5',
    '1e3x',
    '2147483648',
    '99999999999999999999',
    '9'.repeat(400),
    'NaN',
    'Infinity',
    'null',
    'undefined',
    '..',
    '.',
    '../..',
    '../../etc/passwd',
    '..\\..\\windows',
    '%2e%2e',
    '%00',
    '%',
    '1;DROP TABLE tickets',
    "1' OR '1'='1",
    '__proto__',
    'constructor',
    ' ',
    '网格',
    '💥',
    '\u0000',
    '\ud800',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
  fc.integer({ max: 0 }).map(String),
  fc.bigInt({ min: 2n ** 31n, max: 2n ** 80n }).map(String),
  fc.webSegment(),
);

/** Values near what the query schemas accept: numbers at the edges, cursors, dates, status lists. */
const nearValidQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map(String),
  fc.constantFrom('2147483647', '2147483648', '1e3', '0x10', ' 1', '1.0', '+1', '-0', '', '1,2'),
  fc
    .tuple(
      fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }),
      fc.bigInt({ min: 0n, max: 10n ** 10n - 1n }),
    )
    .map(([ms, id]) => `${ms}_${id}`),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.constantFrom(
    '2024-02-30T00:00:00Z',
    '2024-01-01T00:00:00+14:00',
    '2024-01-01T24:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '0000-01-01T00:00:00Z',
    '2024-01-01',
  ),
  fc
    .array(fc.constantFrom('open', 'NEW', 'ASSIGNED', 'CLOSED', 'assigned', 'x', '', '__proto__'), {
      maxLength: 4,
    })
    .map((parts) => parts.join(',')),
  fc.constantFrom('GRID', 'COMMUNITY', 'CITY', 'grid', 'NOISE', 'noise', 'true', 'false', 'TRUE'),
);

const idLike = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 2_147_483_647 }).map(String), weight: 3 },
  { arbitrary: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).map(String), weight: 1 },
  {
    arbitrary: fc.constantFrom('0', '2147483648', '1e3', '0x10', ' 1', '1.5', '+1', '-0'),
    weight: 1,
  },
);

/** Per query key, values close to what its schema accepts (and just past it). */
const QUERY_HINTS: Record<string, fc.Arbitrary<string>> = {
  status: fc.oneof(
    fc
      .array(fc.constantFrom('NEW', 'ASSIGNED', 'ACCEPTED', 'PENDING', 'CLOSED'), { maxLength: 3 })
      .map((parts) => parts.join(',') || 'open'),
    fc
      .array(fc.constantFrom('open', 'NEW', 'assigned', '', 'x', '\u0000'), {
        minLength: 1,
        maxLength: 3,
      })
      .map((parts) => parts.join(',')),
  ),
  regionId: idLike,
  assigneeId: idLike,
  parentId: idLike,
  after: idLike,
  limit: idLike,
  categoryCode: fc.oneof(
    fc.constantFrom('NOISE', 'noise', 'NO_SUCH', '', ' NOISE'),
    hostileString.map((text) => text.slice(0, 70)),
  ),
  overdue: fc.constantFrom('true', 'false', 'TRUE', '1', '', 'yes'),
  cursor: fc
    .tuple(
      fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }),
      fc.oneof(
        fc.bigInt({ min: 0n, max: 10n ** 10n - 1n }),
        fc.bigInt({ min: 2n ** 31n - 2n, max: 2n ** 31n + 2n }),
      ),
    )
    .map(([ms, id]) => `${ms}_${id}`),
  from: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  to: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  lat: fc.double({ noNaN: true }).map(String),
  lng: fc.double({ noNaN: true }).map(String),
  level: fc.constantFrom('GRID', 'COMMUNITY', 'STREET', 'DISTRICT', 'CITY', 'grid', ''),
};

/** Raw query strings: well-formed and malformed, repeated keys, encoded hostile values. */
export function hostileQuery(keys: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    { arbitrary: fc.constantFrom(...keys), weight: 6 },
    {
      arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'a[b]', 'x', ''),
      weight: 1,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 10 }), weight: 1 },
  );
  const value = fc.oneof(
    { arbitrary: nearValidQueryValue, weight: 3 },
    { arbitrary: hostileString.map((text) => text.slice(0, 300)), weight: 2 },
    { arbitrary: hostileSegment, weight: 1 },
  );
  const hinted = (k: string) => {
    // Own keys only: `toString` and `__proto__` are query keys here too.
    const hint = Object.hasOwn(QUERY_HINTS, k) ? QUERY_HINTS[k] : undefined;
    return hint ? fc.oneof({ arbitrary: hint, weight: 3 }, { arbitrary: value, weight: 2 }) : value;
  };
  const pair = fc
    .tuple(
      key.chain((k) => fc.tuple(fc.constant(k), hinted(k))),
      fc.boolean(),
    )
    .map(([[k, v], encode]) => {
      // Either encoded properly, or raw (fetch escapes only what a URL may not contain).
      const [ek, ev] = encode ? [encodeComponent(k), encodeComponent(v)] : [k, v];
      return `${ek}=${ev}`;
    });
  // Only known keys with near-valid values: these get past the schema and reach the database.
  const plausible = fc
    .uniqueArray(fc.constantFrom(...keys), { minLength: 1, maxLength: keys.length })
    .chain((chosen) =>
      fc.tuple(
        ...chosen.map((k) =>
          (Object.hasOwn(QUERY_HINTS, k) ? QUERY_HINTS[k]! : value).map(
            (v) => `${k}=${encodeComponent(v)}`,
          ),
        ),
      ),
    )
    .map((pairs) => pairs.join('&'));
  return fc.oneof(
    { arbitrary: plausible, weight: 4 },
    {
      arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.join('&')),
      weight: 4,
    },
    { arbitrary: fc.webQueryParameters(), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '',
        '&&&',
        '=',
        '==',
        '?',
        '#',
        'a=%',
        'a=%zz',
        '%=%',
        'limit=1&limit=2',
      ),
      weight: 1,
    },
  );
}

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as a browser sends them). */
export function encodeComponent(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A value that fast-check prints shortened (counterexamples of 150 kB help nobody). */
export interface Shown<T> {
  value: T;
}
export function shown<T>(value: T): Shown<T> {
  return {
    value,
    [fc.toStringMethod]: () => {
      const text = typeof value === 'string' ? JSON.stringify(value) : fc.stringify(value);
      return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
    },
  } as Shown<T>;
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

const STACK_TRACE =
  /(^|\n|\\n)\s*at .*(:\d+:\d+|<anonymous>|\(native\))|node_modules|\/work\/|file:\/\/|\.ts:\d+|\.js:\d+|Prisma(Client)?[A-Z][A-Za-z]*Error|Invalid `prisma\./;

/**
 * Why `answer` is not a 4xx in the shape `{ error: { code, message, details? } }`
 * without a stack trace; null when it is.
 */
export function clientErrorProblem(answer: HttpAnswer, allowed?: readonly number[]): string | null {
  if (answer.status < 400 || answer.status >= 500) return `status ${answer.status}`;
  if (allowed && !allowed.includes(answer.status))
    return `status ${answer.status} not in ${allowed}`;
  return errorShapeProblem(answer);
}

/** Why `answer` is not in the error shape (or leaks a stack trace); null when it is fine. */
export function errorShapeProblem(answer: HttpAnswer): string | null {
  if (!/^application\/json\b/.test(answer.contentType)) return `content-type ${answer.contentType}`;
  if (STACK_TRACE.test(answer.text)) return 'stack trace or file path in the body';
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return 'body is not JSON';
  }
  if (!isRecord(body) || Object.keys(body).join() !== 'error') return 'top level is not { error }';
  const { error } = body;
  if (!isRecord(error)) return 'error is not an object';
  if (typeof error.code !== 'string' || !/^[A-Z_]+$/.test(error.code)) return 'error.code';
  if (typeof error.message !== 'string' || error.message.length === 0) return 'error.message';
  const extra = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (extra.length > 0) return `unexpected error keys ${extra.join(',')}`;
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
