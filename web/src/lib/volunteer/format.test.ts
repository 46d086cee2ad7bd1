import { describe, expect, it } from 'vitest';
import {
  amapMarkerUrl,
  decimalHours,
  distanceParts,
  geoUri,
  offerCountdown,
  refusalText,
  serverMessageIn,
  splitServiceMinutes,
} from './format.ts';

describe('offerCountdown', () => {
  it('shows minutes and seconds, rounded up so 0:00 means expired', () => {
    expect(offerCountdown(5 * 60_000)).toEqual({ expired: false, text: '5:00' });
    expect(offerCountdown(4 * 60_000 + 5_000)).toEqual({ expired: false, text: '4:05' });
    expect(offerCountdown(300)).toEqual({ expired: false, text: '0:01' });
    expect(offerCountdown(59_001)).toEqual({ expired: false, text: '1:00' });
  });

  it('shows hours past an hour', () => {
    expect(offerCountdown(3_723_000)).toEqual({ expired: false, text: '1:02:03' });
  });

  it('is expired at and past zero, and for nonsense', () => {
    expect(offerCountdown(0)).toEqual({ expired: true, text: '0:00' });
    expect(offerCountdown(-12_000)).toEqual({ expired: true, text: '0:00' });
    expect(offerCountdown(Number.NaN).expired).toBe(true);
  });
});

describe('distanceParts', () => {
  it('gives metres under 1 km, rounded to 10 m past 100 m', () => {
    expect(distanceParts(42.4)).toEqual({ value: '42', unit: 'm' });
    expect(distanceParts(856)).toEqual({ value: '860', unit: 'm' });
    expect(distanceParts(-5)).toEqual({ value: '0', unit: 'm' });
  });

  it('gives kilometres with one decimal from about 1 km', () => {
    expect(distanceParts(995)).toEqual({ value: '1.0', unit: 'km' });
    expect(distanceParts(1_234)).toEqual({ value: '1.2', unit: 'km' });
    expect(distanceParts(12_960)).toEqual({ value: '13.0', unit: 'km' });
  });
});

describe('service time', () => {
  it('splits minutes into hours and the rest', () => {
    expect(splitServiceMinutes(0)).toEqual({ hours: 0, minutes: 0 });
    expect(splitServiceMinutes(45)).toEqual({ hours: 0, minutes: 45 });
    expect(splitServiceMinutes(150.9)).toEqual({ hours: 2, minutes: 30 });
  });

  it('gives decimal hours to a tenth', () => {
    expect(decimalHours(90)).toBe('1.5');
    expect(decimalHours(2)).toBe('0.0');
    expect(decimalHours(3)).toBe('0.1');
    expect(decimalHours(600)).toBe('10.0');
  });
});

describe('navigation links', () => {
  it('builds a geo: URI with the point as the query and an escaped label', () => {
    expect(geoUri(41.1, 122.99, '3号楼 A')).toBe(
      'geo:41.100000,122.990000?q=41.100000,122.990000(3%E5%8F%B7%E6%A5%BC%20A)',
    );
    expect(geoUri(41.1, 122.99)).toBe('geo:41.100000,122.990000?q=41.100000,122.990000');
  });

  it('builds an Amap marker link, longitude first, in WGS-84', () => {
    const url = new URL(amapMarkerUrl(41.123456, 122.987654, '健身社区'));
    expect(url.origin + url.pathname).toBe('https://uri.amap.com/marker');
    expect(url.searchParams.get('position')).toBe('122.987654,41.123456');
    expect(url.searchParams.get('coordinate')).toBe('wgs84');
    expect(url.searchParams.get('name')).toBe('健身社区');
  });
});

describe('serverMessageIn', () => {
  const both = '不在签到时间内 / Check-in is not open now';

  it('keeps the half of a bilingual message for the page language', () => {
    expect(serverMessageIn(both, 'zh-CN')).toBe('不在签到时间内');
    expect(serverMessageIn(both, 'en')).toBe('Check-in is not open now');
  });

  it('leaves other messages whole', () => {
    expect(serverMessageIn('Task not found', 'zh-CN')).toBe('Task not found');
    expect(serverMessageIn('either / or', 'en')).toBe('either / or');
    expect(serverMessageIn('中文 / 中文', 'en')).toBe('中文 / 中文');
  });
});

describe('refusalText', () => {
  it('keeps the server’s words, in the page’s language, with the fields it names', () => {
    expect(
      refusalText('Invalid request body', [{ path: 'displayName', message: 'Too big' }], 'en'),
    ).toBe('Invalid request body (displayName: Too big)');
    expect(
      refusalText(
        '无法加入 / Cannot join',
        [
          { path: '', message: 'full' },
          { path: 'a.b', message: 'x' },
        ],
        'zh-CN',
      ),
    ).toBe('无法加入（full; a.b: x）');
  });

  it('ignores details that are not a list of field problems', () => {
    expect(refusalText('Sign in first', undefined, 'en')).toBe('Sign in first');
    expect(refusalText('Outside', { distanceM: 900, geofenceM: 200 }, 'en')).toBe('Outside');
    expect(refusalText('Bad', [null, 3, { path: 'x' }], 'en')).toBe('Bad');
  });
});
