import { describe, expect, it } from 'vitest';
import { draftFingerprint, reportBody, reportProblems, type ReportDraft } from './report-draft.ts';

const complete: ReportDraft = {
  categoryCode: 'NOISE',
  point: { lat: 41.1234567891, lng: 122.9876543219 },
  address: '  12号楼  ',
  description: ' 夜里施工 ',
  name: '',
  phone: '',
};

describe('a resident report draft', () => {
  it('names what is missing, in the order the form asks', () => {
    expect(
      reportProblems({ ...complete, categoryCode: null, point: null, description: ' ' }),
    ).toEqual(['category', 'location', 'description']);
    expect(reportProblems({ ...complete, phone: 'call me' })).toEqual(['phone']);
    expect(reportProblems(complete)).toEqual([]);
  });

  it('builds the body with trimmed text, rounded coordinates and only the contact given', () => {
    expect(reportBody(complete)).toEqual({
      categoryCode: 'NOISE',
      description: '夜里施工',
      location: { lat: 41.123457, lng: 122.987654 },
      address: '12号楼',
      channel: 'WEB',
    });
    expect(reportBody({ ...complete, phone: '138 0000 1111' })?.reporter).toEqual({
      phone: '138 0000 1111',
    });
    expect(reportBody({ ...complete, description: '' })).toBeNull();
  });

  it('changes its fingerprint when the content changes, not when spaces do', () => {
    expect(draftFingerprint(complete)).toBe(draftFingerprint({ ...complete, address: '12号楼' }));
    expect(draftFingerprint(complete)).not.toBe(
      draftFingerprint({ ...complete, description: '白天施工' }),
    );
  });
});
