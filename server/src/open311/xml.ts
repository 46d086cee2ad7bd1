/**
 * The XML of Open311 answers: the same values as the JSON, as elements named
 * after the fields. An array becomes an element holding one child per item,
 * named by `itemNames` (`attributes` -> `attribute`); null and undefined
 * become empty elements. Pure.
 */

export type XmlScalar = string | number | boolean | null | undefined;
export type XmlValue = XmlScalar | readonly XmlValue[] | { readonly [field: string]: XmlValue };

/** Element name of each item of an array, by the array's own element name. */
export type XmlItemNames = Readonly<Record<string, string>>;

const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates,
 * U+FFFE and U+FFFF): dropped. Carriage returns are kept as `&#13;` (a parser
 * would turn a literal one into a line feed).
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replaceAll('\r', '&#13;');
}

function scalarText(value: string | number | boolean): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`XML cannot carry the number ${value}`);
    return String(value);
  }
  return typeof value === 'boolean' ? String(value) : escapeXmlText(value);
}

function element(name: string, value: XmlValue, itemNames: XmlItemNames): string {
  if (!ELEMENT_NAME.test(name)) throw new Error(`Not an XML element name: ${name}`);
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const itemName = itemNames[name];
    if (itemName === undefined) throw new Error(`No item element name for the array ${name}`);
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((item: XmlValue) => element(itemName, item, itemNames)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, XmlValue>)
      .map(([field, child]) => element(field, child, itemNames))
      .join('');
    return children === '' ? `<${name}/>` : `<${name}>${children}</${name}>`;
  }
  return `<${name}>${scalarText(value)}</${name}>`;
}

/** A whole document: the declaration, then `value` as the element `root`. */
export function toXmlDocument(root: string, value: XmlValue, itemNames: XmlItemNames = {}): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value, itemNames)}\n`;
}
