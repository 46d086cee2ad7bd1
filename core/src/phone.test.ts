import { describe, expect, it } from 'vitest';
import { checkPhone } from './phone.ts';

describe('checkPhone', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['0086 13800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['１３８００１３８０００', '13800138000'],
    ['19912345678', '19912345678'],
  ])('accepts the mobile %s', (input, normalized) => {
    expect(checkPhone(input)).toEqual({ ok: true, kind: 'mobile', normalized });
  });

  it.each([
    ['0412-2345678', '0412-2345678'],
    ['04122345678', '0412-2345678'],
    ['(0412) 2345 6789', '0412-23456789'],
    ['（010）87654321', '010-87654321'],
    ['021 6234 5678', '021-62345678'],
    ['+86 412 2345678', '0412-2345678'],
  ])('accepts the landline %s', (input, normalized) => {
    expect(checkPhone(input)).toEqual({ ok: true, kind: 'landline', normalized });
  });

  it('accepts a local number without area code', () => {
    expect(checkPhone('2345678')).toEqual({ ok: true, kind: 'local', normalized: '2345678' });
    expect(checkPhone('8765 4321')).toEqual({ ok: true, kind: 'local', normalized: '87654321' });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['138abc00000', 'characters'],
    ['138.0013.8000', 'characters'],
    ['1380013800', 'mobileLength'],
    ['138001380001', 'mobileLength'],
    ['12800138000', 'mobilePrefix'],
    ['010-1234567', 'landline'],
    ['0412-123456', 'landline'],
    ['0412-0234567', 'landline'],
    ['12345', 'mobileLength'],
    ['123456', 'mobileLength'],
    ['234567', 'format'],
    ['+1 415 555 0100', 'format'],
  ])('rejects %j as %s', (input, problem) => {
    expect(checkPhone(input)).toEqual({ ok: false, problem });
  });
});
