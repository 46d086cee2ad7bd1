import { describe, expect, it } from 'vitest';
import type { Rate, RegionStats } from '@gridline/core';
import { toCsv } from './csv.ts';
import { rankingCsvRows, type RankingCsvLabels } from './ranking-csv.ts';

const rate = (numerator: number, denominator: number): Rate => ({
  rate: denominator === 0 ? null : numerator / denominator,
  numerator,
  denominator,
});

const stats = (id: number, code: string, name: string, response: Rate): RegionStats => ({
  region: { id, code, name, nameEn: null, level: 'COMMUNITY' },
  figures: {
    response,
    resolution: rate(1, 2),
    satisfaction: rate(0, 0),
    compliance: rate(1, 3),
    counts: {
      created: 4,
      withdrawn: 0,
      accepted: 3,
      resolved: 2,
      reopened: 0,
      rated: 0,
      overdue: 1,
    },
    averages: { acceptMinutes: 12.5, resolveMinutes: null },
  },
  current: { open: 2, overdue: 1 },
});

const labels: RankingCsvLabels = {
  region: '区域',
  code: '代码',
  created: '新建',
  rates: {
    response: '响应率',
    resolution: '解决率',
    satisfaction: '满意率',
    compliance: '时限达标率',
  },
  rate: (name) => `${name}（%）`,
  numerator: (name) => `${name}分子`,
  denominator: (name) => `${name}分母`,
  avgAccept: '平均接单用时（分钟）',
  avgResolve: '平均办结用时（分钟）',
  openNow: '当前待办',
  overdueNow: '当前超时',
  total: '合计',
};

describe('ranking CSV', () => {
  it('writes a header, the rows in the order given, and the total', () => {
    const rows = [
      stats(2, '210302001', '健身社区', rate(2, 3)),
      stats(3, '210302002', '园林社区, "东"', rate(0, 0)),
    ];
    const total = stats(1, '210302', '和平街道', rate(2, 3));
    const csv = toCsv(rankingCsvRows(rows, total, labels, (row) => row.region.name));
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      '区域,代码,新建,响应率（%）,响应率分子,响应率分母,解决率（%）,解决率分子,解决率分母,' +
        '满意率（%）,满意率分子,满意率分母,时限达标率（%）,时限达标率分子,时限达标率分母,' +
        '平均接单用时（分钟）,平均办结用时（分钟）,当前待办,当前超时',
    );
    expect(lines[1]).toBe('健身社区,210302001,4,66.7,2,3,50,1,2,,0,0,33.3,1,3,12.5,,2,1');
    expect(lines[2]).toBe('"园林社区, ""东""",210302002,4,,0,0,50,1,2,,0,0,33.3,1,3,12.5,,2,1');
    expect(lines[3]!.startsWith('合计,210302,4,66.7')).toBe(true);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
  });
});
