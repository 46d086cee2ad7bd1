import { describe, expect, it } from 'vitest';
import { createCareRecipientSchema, type CareRecipientDto } from '@gridline/core';
import { careBody, careChanges, careFormOf, emptyCareForm } from './care-form.ts';

const record: CareRecipientDto = {
  id: 4,
  communityId: 3,
  gridId: 7,
  householdName: '王',
  firstName: '秀兰',
  kind: 'ELDERLY_ALONE',
  address: '健身社区 3 号楼 2 单元 401',
  lat: 41.1,
  lng: 122.99,
  contacts: [{ name: '王强', relation: '儿子', phone: '13800138000' }],
  visitEveryDays: 7,
  lastVisitAt: null,
  notes: null,
  createdAt: '2026-03-01T00:00:00Z',
  updatedAt: '2026-03-01T00:00:00Z',
  devices: [],
};

describe('the household form', () => {
  it('builds a body the server schema accepts, dropping blank contact rows', () => {
    const fields = {
      ...emptyCareForm(),
      householdName: ' 李 ',
      firstName: '桂芳',
      address: '健身社区 5 号楼',
      point: { lat: 41.1, lng: 122.99 },
      contacts: [
        { name: '李明', relation: '女儿', phone: '139 0013 9000' },
        { name: '', relation: '', phone: '' },
      ],
      visitEveryDays: '',
    };
    const result = careBody(fields);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body.householdName).toBe('李');
    expect(result.body.contacts).toHaveLength(1);
    expect(result.body.visitEveryDays).toBeNull();
    expect(result.body.notes).toBeNull();
    expect(createCareRecipientSchema.safeParse(result.body).success).toBe(true);
  });

  it('names the refused fields, contacts by row', () => {
    const result = careBody({
      ...emptyCareForm(),
      contacts: [
        { name: '', relation: '', phone: '' },
        { name: '张', relation: '', phone: '12' },
      ],
      visitEveryDays: '0',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        householdName: 'community.form.required',
        firstName: 'community.form.required',
        address: 'community.form.required',
        point: 'community.form.pointRequired',
        visitEveryDays: 'community.form.wholeNumber',
        'contact.1.relation': 'community.form.required',
        'contact.1.phone': 'community.form.badPhone',
      },
    });
  });

  it('sends only what changed', () => {
    const unchanged = careBody(careFormOf(record));
    expect(unchanged.ok).toBe(true);
    if (!unchanged.ok) return;
    expect(careChanges(record, unchanged.body)).toEqual({});

    const edited = careBody({
      ...careFormOf(record),
      address: '健身社区 3 号楼 2 单元 402',
      contacts: [{ name: '王强', relation: '儿子', phone: '138 0013 8000' }],
      visitEveryDays: '14',
    });
    if (!edited.ok) throw new Error('should be valid');
    expect(careChanges(record, edited.body)).toEqual({
      address: '健身社区 3 号楼 2 单元 402',
      visitEveryDays: 14,
    });
  });
});
