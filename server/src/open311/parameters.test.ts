import { describe, expect, it } from 'vitest';
import { Open311Error } from './errors.ts';
import { attributeCodeOf, Open311Parameters, splitFormat } from './parameters.ts';

const attributes = (params: Open311Parameters) => Object.fromEntries(params.attributes());

function refusal(run: () => unknown): Open311Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Open311Error) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('splitFormat', () => {
  it.each([
    ['services.json', { name: 'services', format: 'json' }],
    ['services.xml', { name: 'services', format: 'xml' }],
    ['requests.XML', { name: 'requests', format: 'xml' }],
    ['GL-261122-7K3Q9M.json', { name: 'GL-261122-7K3Q9M', format: 'json' }],
    ['a.b.json', { name: 'a.b', format: 'json' }],
  ])('reads %s', (segment, expected) => {
    expect(splitFormat(segment)).toEqual(expected);
  });

  it.each([
    'services',
    'services.html',
    'services.json.bak',
    '.json',
    'services.',
    'services.jsonp',
  ])('refuses %j', (segment) => {
    expect(splitFormat(segment)).toBeNull();
  });
});

describe('attribute keys', () => {
  it.each([
    ['attribute[FAULT]', 'FAULT'],
    ['attribute[FAULT][]', 'FAULT'],
    ['attribute[FAULT][0]', 'FAULT'],
    ['attributes[FAULT]', 'FAULT'],
    ['ATTRIBUTE[fault]', 'fault'],
    ['attribute%5BFAULT%5D', 'FAULT'],
    ['attribute%5bFAULT%5d%5B%5D', 'FAULT'],
    ['attribute%255BFAULT%255D', 'FAULT'],
  ])('reads %s as %s', (key, code) => {
    expect(attributeCodeOf(key)).toBe(code);
  });

  it.each([
    'attribute',
    'attribute[]',
    'attribute[A][B]',
    'attributeFAULT',
    'xattribute[A]',
    'attribute[A',
  ])('%j is no attribute', (key) => {
    expect(attributeCodeOf(key)).toBeNull();
  });
});

describe('form bodies', () => {
  it('reads every spelling of an attribute key real clients send', () => {
    const params = Open311Parameters.fromForm(
      [
        'attribute[FAULT]=OUT',
        'attribute%5BPOLE%5D=TD-1', // brackets encoded once: decoded by form parsing
        'attribute%255BAREA%255D=2.5', // encoded twice: still encoded after form parsing
        'attribute[KINDS][]=A',
        'attribute%5BKINDS%5D%5B%5D=B',
        'attribute[KINDS]=C',
      ].join('&'),
    );
    expect(attributes(params)).toEqual({
      FAULT: ['OUT'],
      POLE: ['TD-1'],
      AREA: ['2.5'],
      KINDS: ['A', 'B', 'C'],
    });
  });

  it('decodes + as a space and percent escapes, keeps CRLF for the description to normalise', () => {
    const params = Open311Parameters.fromForm(
      'description=line+one%0D%0Aline%20two&first_name=%E7%8E%8B&lat=41.1',
    );
    expect(params.text('description')).toBe('line one\r\nline two');
    expect(params.single('first_name')).toBe('王');
    expect(params.single('lat')).toBe('41.1');
  });

  it('reads parameter names in any case and ignores empty values', () => {
    const params = Open311Parameters.fromForm('API_KEY=k&email=&Service_Code=NOISE');
    expect(params.single('api_key')).toBe('k');
    expect(params.single('service_code')).toBe('NOISE');
    expect(params.single('email')).toBeUndefined();
    expect(params.has('email')).toBe(false);
  });

  it('takes a single-valued parameter repeated with the same value, refuses different values', () => {
    expect(Open311Parameters.fromForm('lat=41.1&lat=41.1&lat=').single('lat')).toBe('41.1');
    const error = refusal(() => Open311Parameters.fromForm('lat=41.1&lat=42').single('lat'));
    expect(error).toMatchObject({
      status: 400,
      message: 'lat was given more than once, with different values',
    });
  });

  it('reads lists comma-separated, repeated or both', () => {
    const params = Open311Parameters.fromForm(
      'service_request_id=A,B&service_request_id=C&service_request_id=,&status=open%2Cclosed',
    );
    expect(params.list('service_request_id')).toEqual(['A', 'B', 'C']);
    expect(params.list('status')).toEqual(['open', 'closed']);
    expect(params.list('missing')).toEqual([]);
  });

  it('refuses a NUL character in a name or a value', () => {
    expect(refusal(() => Open311Parameters.fromForm('description=a%00b')).status).toBe(400);
    expect(refusal(() => Open311Parameters.fromForm('desc%00ription=x')).status).toBe(400);
  });

  it('keeps malformed percent escapes as text rather than failing', () => {
    expect(Open311Parameters.fromForm('description=100%25+%zz').text('description')).toBe(
      '100% %zz',
    );
  });
});

describe('JSON bodies', () => {
  it('reads texts, numbers, booleans, lists and an object of attribute answers', () => {
    const params = Open311Parameters.fromJson({
      service_code: 'NOISE',
      lat: 41.1,
      long: '122.9',
      flag: true,
      nothing: null,
      attribute: { FAULT: 'OUT', KINDS: ['A', 'B'], AREA: 2.5 },
      'attribute[POLE]': 'TD-1',
      'attribute%5BDETAILS%5D': 'x',
    });
    expect(params.single('lat')).toBe('41.1');
    expect(params.single('long')).toBe('122.9');
    expect(params.single('flag')).toBe('true');
    expect(params.has('nothing')).toBe(false);
    expect(attributes(params)).toEqual({
      FAULT: ['OUT'],
      KINDS: ['A', 'B'],
      AREA: ['2.5'],
      POLE: ['TD-1'],
      DETAILS: ['x'],
    });
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'lat=1'],
    ['null', null],
    ['a nested object', { location: { lat: 1 } }],
    ['a list of objects', { service_code: [{ a: 1 }] }],
  ])('refuses %s', (_what, body) => {
    expect(refusal(() => Open311Parameters.fromJson(body)).status).toBe(400);
  });
});

describe('withFallback', () => {
  it('takes the query string where the body says nothing', () => {
    const body = Open311Parameters.fromForm('service_code=NOISE&attribute[A]=1');
    const query = Open311Parameters.fromForm(
      'service_code=OTHER&jurisdiction_id=anshan&attribute[A]=2&attribute[B]=3',
    );
    const merged = body.withFallback(query);
    expect(merged.single('service_code')).toBe('NOISE');
    expect(merged.single('jurisdiction_id')).toBe('anshan');
    expect(attributes(merged)).toEqual({ A: ['1'], B: ['3'] });
  });
});
