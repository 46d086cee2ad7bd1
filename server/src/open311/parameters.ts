/**
 * Reading Open311 request parameters the way real clients send them: form
 * bodies (parsed here from the raw text, so repeated keys and leftover
 * percent-encoding are ours to handle), JSON bodies and query strings, with
 * `attribute[CODE]`, `attribute[CODE][]`, still-encoded `attribute%5BCODE%5D`
 * and repeated keys for lists. Pure.
 */
import { badRequest, type Open311Format } from './errors.ts';

/** `requests.json` -> requests, json. Null when the suffix is not .xml or .json (any case). */
export function splitFormat(segment: string): { name: string; format: Open311Format } | null {
  const match = /^(.+)\.(xml|json)$/i.exec(segment);
  if (!match) return null;
  return { name: match[1]!, format: match[2]!.toLowerCase() as Open311Format };
}

const ATTRIBUTE_KEY = /^attributes?\[([^[\]]+)\](?:\[\d*\])?$/i;
const ENCODED = /%[0-9A-Fa-f]{2}/;
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const NUL = /\u0000/;

/** Undoes the percent-encoding a double-encoding client leaves in a key (at most twice). */
function decodeLeftovers(key: string): string {
  let decoded = key;
  for (let round = 0; round < 2 && ENCODED.test(decoded); round++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return decoded;
    }
  }
  return decoded;
}

/** The attribute code a parameter name carries, or null when it is no attribute. */
export function attributeCodeOf(key: string): string | null {
  const match = ATTRIBUTE_KEY.exec(ENCODED.test(key) ? decodeLeftovers(key) : key);
  return match ? match[1]!.trim() || null : null;
}

function refuseNul(name: string, value: string): void {
  if (NUL.test(name) || NUL.test(value)) {
    throw badRequest(`${NUL.test(name) ? 'A parameter name' : name} contains a NUL character`);
  }
}

/** Every parameter of a request with every value it was given, in order; attributes apart. */
export class Open311Parameters {
  private constructor(
    private readonly values: ReadonlyMap<string, readonly string[]>,
    private readonly attributeValues: ReadonlyMap<string, readonly string[]>,
  ) {}

  static fromPairs(pairs: Iterable<readonly [string, string]>): Open311Parameters {
    const values = new Map<string, string[]>();
    const attributes = new Map<string, string[]>();
    for (const [rawName, value] of pairs) {
      refuseNul(rawName, value);
      const code = attributeCodeOf(rawName);
      const target = code === null ? values : attributes;
      const name = code ?? rawName.trim().toLowerCase();
      target.set(name, [...(target.get(name) ?? []), value]);
    }
    return new Open311Parameters(values, attributes);
  }

  /** An application/x-www-form-urlencoded body or a query string (without its `?`). */
  static fromForm(text: string): Open311Parameters {
    return Open311Parameters.fromPairs(new URLSearchParams(text));
  }

  /**
   * A JSON body: an object of texts, numbers, booleans or arrays of them;
   * `attribute` (or `attributes`) may be an object of answers by code.
   */
  static fromJson(body: unknown): Open311Parameters {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('A JSON body must be an object of parameters');
    }
    const pairs: Array<[string, string]> = [];
    const add = (name: string, value: unknown) => {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item === null || item === undefined) continue;
        if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
          pairs.push([name, String(item)]);
        } else {
          throw badRequest(`${name} must be text, a number or a list of them`);
        }
      }
    };
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      const isAnswerObject =
        /^attributes?$/i.test(name) &&
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value);
      if (isAnswerObject) {
        for (const [code, answer] of Object.entries(value as Record<string, unknown>)) {
          add(`attribute[${code}]`, answer);
        }
      } else {
        add(name, value);
      }
    }
    return Open311Parameters.fromPairs(pairs);
  }

  /** These parameters, with those of `fallback` (the query string) where these have none. */
  withFallback(fallback: Open311Parameters): Open311Parameters {
    const values = new Map(fallback.values);
    for (const [name, given] of this.values) values.set(name, given);
    const attributes = new Map(fallback.attributeValues);
    for (const [code, given] of this.attributeValues) attributes.set(code, given);
    return new Open311Parameters(values, attributes);
  }

  has(name: string): boolean {
    return this.single(name) !== undefined;
  }

  /**
   * The one value of a single-valued parameter, trimmed; undefined when absent
   * or empty. The same value repeated counts once; different values are refused.
   */
  single(name: string): string | undefined {
    const given = [...new Set((this.values.get(name) ?? []).map((value) => value.trim()))].filter(
      (value) => value !== '',
    );
    if (given.length > 1)
      throw badRequest(`${name} was given more than once, with different values`);
    return given[0];
  }

  /** The untrimmed value of a single-valued text parameter (a description keeps its lines). */
  text(name: string): string | undefined {
    if (this.single(name) === undefined) return undefined;
    return (this.values.get(name) ?? []).find((value) => value.trim() !== '');
  }

  /** A list parameter: comma-separated, repeated, or both; trimmed, empty items dropped. */
  list(name: string): string[] {
    return (this.values.get(name) ?? [])
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
  }

  /** The answers by attribute code, each with every value given. */
  attributes(): ReadonlyMap<string, readonly string[]> {
    return this.attributeValues;
  }

  /** Everything, for hashing an Idempotency-Key's request. */
  toJSON(): {
    values: Record<string, readonly string[]>;
    attributes: Record<string, readonly string[]>;
  } {
    return {
      values: Object.fromEntries(this.values),
      attributes: Object.fromEntries(this.attributeValues),
    };
  }
}
