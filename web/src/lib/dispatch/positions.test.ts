import { describe, expect, it } from 'vitest';
import type { FieldPosition } from '@gridline/core';
import { PositionTable } from './positions.ts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 22, 8, 0, second)).toISOString();
const position = (userId: number, second: number, lat = 41.1): FieldPosition => ({
  userId,
  role: 'GRID_MEMBER',
  displayName: `网格员${userId}`,
  regionId: 10,
  lat,
  lng: 123,
  accuracy: null,
  at: at(second),
  onDuty: true,
  openTickets: 2,
});

describe('PositionTable', () => {
  it('takes pushes in order and ignores older reports', () => {
    const table = new PositionTable();
    expect(table.apply(position(1, 10, 41.2))).toBe(true);
    expect(table.apply(position(1, 5, 41.0))).toBe(false);
    expect(table.list()[0]!.lat).toBe(41.2);
  });

  it('removes a person who goes off duty', () => {
    const table = new PositionTable();
    table.apply(position(1, 10));
    table.apply(position(2, 10));
    const off = { ...position(1, 20), lat: null, lng: null, onDuty: false as const };
    expect(table.apply(off)).toBe(true);
    expect(table.list().map((item) => item.userId)).toEqual([2]);
    expect(table.apply({ ...off, userId: 9 })).toBe(false);
  });

  it('replaces the table with a fresh read but keeps a newer pushed position', () => {
    const table = new PositionTable();
    table.apply(position(1, 30, 41.3));
    table.apply(position(3, 1));
    expect(table.load([position(1, 20, 41.0), position(2, 20)])).toBe(true);
    expect(table.list().map((item) => [item.userId, item.lat])).toEqual([
      [1, 41.3],
      [2, 41.1],
    ]);
  });

  it('reports no change when a read brings nothing new', () => {
    const table = new PositionTable();
    table.load([position(1, 20)]);
    const before = table.list();
    expect(table.load([position(1, 20)])).toBe(false);
    expect(table.list()).toBe(before);
  });
});
