/**
 * Checks for Open311 answers: a minimal XML parser (declaration, elements,
 * text and the five entities plus character references; no attributes, no
 * mixed content, which GeoReport v2 documents never need), the XML turned
 * back into the JSON's shape, and the published field rules as a small
 * schema checker.
 */

export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const DECLARATION = /^<\?xml version="1\.0" encoding="utf-8"\?>\s*/i;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decodeText(raw: string): string {
  if (raw.includes('>')) throw new Error(`unescaped > in text ${JSON.stringify(raw)}`);
  return raw.replace(/&([^;&]*);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new Error('bare & in text');
    if (entity in ENTITIES) return ENTITIES[entity]!;
    const code = /^#x([0-9a-f]+)$/i.exec(entity)
      ? parseInt(entity.slice(2), 16)
      : /^#\d+$/.test(entity)
        ? Number(entity.slice(1))
        : null;
    if (code === null) throw new Error(`unknown entity ${match}`);
    return String.fromCodePoint(code);
  });
}

/** Parses a whole document; throws on anything malformed. */
export function parseXml(xml: string): XmlNode {
  if (FORBIDDEN.test(xml)) throw new Error('a character XML 1.0 cannot carry');
  const declaration = DECLARATION.exec(xml);
  if (!declaration) throw new Error('no <?xml version="1.0" encoding="utf-8"?> declaration');
  let at = declaration[0].length;

  const element = (): XmlNode => {
    if (xml[at] !== '<') throw new Error(`expected < at ${at}`);
    at++;
    const name = NAME.exec(xml.slice(at))?.[0];
    if (!name) throw new Error(`expected an element name at ${at}`);
    at += name.length;
    if (xml.startsWith('/>', at)) {
      at += 2;
      return { name, children: [], text: '' };
    }
    if (xml[at] !== '>') throw new Error(`expected > after <${name} at ${at}`);
    at++;
    const children: XmlNode[] = [];
    let text = '';
    for (;;) {
      if (at >= xml.length) throw new Error(`<${name}> is never closed`);
      if (xml.startsWith('</', at)) {
        const close = `</${name}>`;
        if (!xml.startsWith(close, at)) throw new Error(`expected ${close} at ${at}`);
        at += close.length;
        break;
      }
      if (xml[at] === '<') {
        children.push(element());
        continue;
      }
      const end = xml.indexOf('<', at);
      const raw = xml.slice(at, end === -1 ? xml.length : end);
      at += raw.length;
      text += decodeText(raw);
    }
    if (children.length > 0 && text.trim() !== '') throw new Error(`mixed content in <${name}>`);
    return { name, children, text: children.length > 0 ? '' : text };
  };

  const root = element();
  if (xml.slice(at).trim() !== '') throw new Error('content after the root element');
  return root;
}

/** The value an XML element carries, shaped like the JSON: `arrays` names the list elements. */
export function xmlToValue(node: XmlNode, arrays: ReadonlySet<string>): unknown {
  if (arrays.has(node.name)) return node.children.map((child) => xmlToValue(child, arrays));
  if (node.children.length === 0) return node.text;
  const value: Record<string, unknown> = {};
  for (const child of node.children) {
    if (child.name in value) throw new Error(`<${child.name}> twice in <${node.name}>`);
    value[child.name] = xmlToValue(child, arrays);
  }
  return value;
}

/** A JSON answer as its XML reads back: scalars as text, null as empty text. */
export function asXmlText(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(asXmlText);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, asXmlText(item)]),
    );
  }
  return String(value);
}

/** Every element name that holds a list in GeoReport v2 answers. */
export const OPEN311_LISTS: ReadonlySet<string> = new Set([
  'services',
  'attributes',
  'values',
  'service_requests',
  'service_request_updates',
  'errors',
]);

// ---------------------------------------------------------------------------
// The published field rules

/** ISO 8601 / W3C date-time, always with a zone. */
export const W3C_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

type Rule =
  | 'string'
  | 'string?'
  | 'number'
  | 'boolean'
  | 'datetime'
  | 'datetime?'
  | 'null'
  | { oneOf: readonly string[] }
  | { listOf: Schema };
type Schema = Readonly<Record<string, Rule>>;

const attribute: Schema = {
  variable: 'boolean',
  code: 'string',
  datatype: {
    oneOf: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'],
  },
  required: 'boolean',
  datatype_description: 'string?',
  order: 'number',
  description: 'string',
  values: { listOf: { key: 'string', name: 'string' } },
};

export const OPEN311_SCHEMAS = {
  service: {
    service_code: 'string',
    service_name: 'string',
    description: 'string',
    metadata: 'boolean',
    type: { oneOf: ['realtime', 'batch', 'blackbox'] },
    keywords: 'string',
    group: 'string',
  },
  definition: { service_code: 'string', attributes: { listOf: attribute } },
  created: { service_request_id: 'string', service_notice: 'string', account_id: 'null' },
  request: {
    service_request_id: 'string',
    status: { oneOf: ['open', 'closed'] },
    status_notes: 'string?',
    service_name: 'string',
    service_code: 'string',
    description: 'string',
    agency_responsible: 'string',
    service_notice: 'string',
    requested_datetime: 'datetime',
    updated_datetime: 'datetime',
    expected_datetime: 'datetime?',
    address: 'string?',
    address_id: 'string?',
    zipcode: 'string?',
    lat: 'number',
    long: 'number',
    media_url: 'string?',
  },
  token: { service_request_id: 'string', token: 'string' },
  update: {
    update_id: 'string',
    service_request_id: 'string',
    status: { oneOf: ['open', 'closed'] },
    updated_datetime: 'datetime',
    description: 'string',
    media_url: 'string?',
  },
} satisfies Record<string, Schema>;

function ruleProblems(value: unknown, rule: Rule, path: string): string[] {
  const wrong = (expected: string) => [
    `${path}: expected ${expected}, got ${JSON.stringify(value)}`,
  ];
  if (typeof rule === 'object') {
    if ('oneOf' in rule) {
      return typeof value === 'string' && rule.oneOf.includes(value)
        ? []
        : wrong(rule.oneOf.join('|'));
    }
    if (!Array.isArray(value)) return wrong('an array');
    return value.flatMap((item, index) => schemaProblems(item, rule.listOf, `${path}[${index}]`));
  }
  switch (rule) {
    case 'string':
      return typeof value === 'string' ? [] : wrong('a string');
    case 'string?':
      return value === null || typeof value === 'string' ? [] : wrong('a string or null');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? [] : wrong('a number');
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong('a boolean');
    case 'datetime':
      return typeof value === 'string' && W3C_DATE_TIME.test(value)
        ? []
        : wrong('a date-time with a zone');
    case 'datetime?':
      return value === null || (typeof value === 'string' && W3C_DATE_TIME.test(value))
        ? []
        : wrong('a date-time with a zone or null');
    case 'null':
      return value === null ? [] : wrong('null');
  }
}

/** Why `value` breaks the schema (missing, extra or mistyped fields); empty when it keeps it. */
export function schemaProblems(value: unknown, schema: Schema, path = '$'): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [`${path}: expected an object`];
  }
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((key) => !(key in schema));
  return [
    ...extra.map((key) => `${path}.${key}: not in the schema`),
    ...Object.entries(schema).flatMap(([key, rule]) =>
      key in record
        ? ruleProblems(record[key], rule, `${path}.${key}`)
        : [`${path}.${key}: missing`],
    ),
  ];
}

/** Problems of a list answer: an array, each item keeping the schema. */
export function listProblems(value: unknown, schema: Schema): string[] {
  if (!Array.isArray(value)) return ['$: expected an array'];
  return value.flatMap((item, index) => schemaProblems(item, schema, `$[${index}]`));
}
