import { describe, expect, it } from 'vitest';
import { escapeXmlText, toXmlDocument } from './xml.ts';

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

describe('toXmlDocument', () => {
  it('writes a declaration, then the value as elements named after the fields', () => {
    expect(
      toXmlDocument(
        'service_definition',
        { service_code: 'NOISE', attributes: [] },
        { attributes: 'attribute' },
      ),
    ).toBe(
      `${DECLARATION}<service_definition><service_code>NOISE</service_code><attributes/></service_definition>\n`,
    );
  });

  it('names each item of an array by the array element, nested arrays too', () => {
    const xml = toXmlDocument(
      'service_requests',
      [
        { service_request_id: 'GL-1', lat: 41.5, long: -122.25, metadata: true },
        { service_request_id: 'GL-2', lat: 0, long: 0, metadata: false },
      ],
      { service_requests: 'request' },
    );
    expect(xml).toBe(
      `${DECLARATION}<service_requests>` +
        '<request><service_request_id>GL-1</service_request_id><lat>41.5</lat><long>-122.25</long><metadata>true</metadata></request>' +
        '<request><service_request_id>GL-2</service_request_id><lat>0</lat><long>0</long><metadata>false</metadata></request>' +
        '</service_requests>\n',
    );
    expect(
      toXmlDocument('attribute', { values: [{ key: 'A', name: 'a' }] }, { values: 'value' }),
    ).toContain('<values><value><key>A</key><name>a</name></value></values>');
  });

  it('writes null, undefined, empty arrays and empty objects as empty elements', () => {
    expect(
      toXmlDocument(
        'request',
        { zipcode: null, address_id: undefined, values: [], extra: {} },
        {
          values: 'value',
        },
      ),
    ).toBe(`${DECLARATION}<request><zipcode/><address_id/><values/><extra/></request>\n`);
    expect(toXmlDocument('services', [], { services: 'service' })).toBe(
      `${DECLARATION}<services/>\n`,
    );
  });

  it('keeps an empty string as an empty element and zero as 0', () => {
    expect(toXmlDocument('r', { description: '', order: 0 })).toContain(
      '<description></description><order>0</order>',
    );
  });

  it('escapes markup in text so that it stays text', () => {
    expect(
      toXmlDocument('error', { description: `<script>alert("x & 'y'")</script> ]]>` }),
    ).toContain(
      '<description>&lt;script&gt;alert(&quot;x &amp; &apos;y&apos;&quot;)&lt;/script&gt; ]]&gt;</description>',
    );
  });

  it('refuses what it cannot write rather than writing broken XML', () => {
    expect(() => toXmlDocument('r', { 'bad name': 1 })).toThrow(/element name/);
    expect(() => toXmlDocument('r', { list: [1] })).toThrow(/item element name/);
    expect(() => toXmlDocument('r', { lat: Number.NaN })).toThrow(/number/);
  });
});

describe('escapeXmlText', () => {
  it('drops characters XML 1.0 cannot carry and keeps carriage returns as references', () => {
    expect(escapeXmlText('a\u0000b\u0007c\u001bd\ufffee\uffff')).toBe('abcde');
    expect(escapeXmlText('lone \ud800 surrogate \udfff')).toBe('lone  surrogate ');
    expect(escapeXmlText('line\r\nnext\ttab')).toBe('line&#13;\nnext\ttab');
  });

  it('keeps Chinese text, emoji and other astral characters whole', () => {
    expect(escapeXmlText('路灯不亮 💡 𝕏')).toBe('路灯不亮 💡 𝕏');
  });
});
