import { describe, expect, it } from 'vitest';
import { buildK6Sessions } from './k6-sessions-file.ts';

describe('buildK6Sessions', () => {
  it('groups each member’s grids under their cookie, in token order', () => {
    const members = [
      { userId: 1, gridId: 10, lat: 41.1, lng: 123 },
      { userId: 2, gridId: 20, lat: 41.2, lng: 123.1 },
      { userId: 1, gridId: 11, lat: 41.3, lng: 123.2 },
      { userId: 3, gridId: 30, lat: 41.4, lng: 123.3 },
    ];
    const tokens = new Map([
      [2, 'bbb'],
      [1, 'aaa'],
      [4, 'ddd'],
    ]);
    const file = buildK6Sessions(members, tokens, new Date('2026-11-22T00:00:00Z'));
    expect(file).toEqual({
      createdAt: '2026-11-22T00:00:00.000Z',
      sessions: [
        { userId: 2, cookie: 'gl_session=bbb', grids: [{ id: 20, lat: 41.2, lng: 123.1 }] },
        {
          userId: 1,
          cookie: 'gl_session=aaa',
          grids: [
            { id: 10, lat: 41.1, lng: 123 },
            { id: 11, lat: 41.3, lng: 123.2 },
          ],
        },
      ],
    });
  });
});
