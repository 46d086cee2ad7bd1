import type { Role } from '@gridline/core';

export const DEMO_PASSWORD = 'demo1234';

export interface DemoAccount {
  username: string;
  role: Role;
  description: { zh: string; en: string };
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    username: 'admin',
    role: 'ADMIN',
    description: { zh: '系统管理员（全市）', en: 'administrator (city)' },
  },
  {
    username: 'dispatcher',
    role: 'DISPATCHER',
    description: { zh: '市指挥中心调度员', en: 'dispatcher, city command centre' },
  },
  {
    username: 'member',
    role: 'GRID_MEMBER',
    description: {
      zh: '铁东区和平街道健身社区第1网格网格员',
      en: 'grid member, first grid of 健身社区',
    },
  },
  {
    username: 'community',
    role: 'COMMUNITY_STAFF',
    description: { zh: '健身社区工作人员', en: 'community staff, 健身社区' },
  },
  {
    username: 'volunteer',
    role: 'VOLUNTEER',
    description: { zh: '住在健身社区的志愿者', en: 'volunteer living in 健身社区' },
  },
];
