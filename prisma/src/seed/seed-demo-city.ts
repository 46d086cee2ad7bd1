import { hash } from '@node-rs/argon2';
import { categoryAttributesSchema, type Role } from '@gridline/core';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { loadAnshanData } from '../demo-city/anshan-data.ts';
import { DEMO_CATEGORIES, DEMO_SKILLS } from '../demo-city/categories.ts';
import { DEMO_CITY_SEED, generateDemoCity, type DemoRegion } from '../demo-city/generate.ts';
import { randomPointInConvex, type Point } from '../demo-city/geometry.ts';
import { pick, randomFor, randomInt, sample, type Random } from '../demo-city/random.ts';
import { DEMO_PASSWORD } from './demo-accounts.ts';

export interface SeedSummary {
  regions: Record<'city' | 'districts' | 'streets' | 'communities' | 'grids', number>;
  users: number;
  gridMembers: number;
  communityStaff: number;
  dispatchers: number;
  volunteers: number;
  categories: number;
  careRecipients: number;
  milliseconds: number;
}

export const DEMO_VOLUNTEERS = 500;
const DEMO_CARE_RECIPIENTS = 20;
const BATCH = 1000;
/** The community the demo accounts live in (和平街道, 铁东区). */
const HOME_COMMUNITY_NAME = '健身社区';
const HOME_STREET_NAME = '和平街道';

const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌辉鹏宇晨浩然欣怡子涵梓萱思远雨轩佳琪博文俊杰婷婷海燕春梅立新晓东';
const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '135',
  '136',
  '138',
  '139',
  '150',
  '151',
  '152',
  '158',
  '159',
  '186',
  '187',
  '188',
  '189',
];

function chineseName(random: Random): string {
  const surname = pick(random, [...SURNAMES]);
  const given = Array.from({ length: randomInt(random, 1, 2) }, () =>
    pick(random, [...GIVEN]),
  ).join('');
  return surname + given;
}

function mobile(random: Random): string {
  return pick(random, MOBILE_PREFIXES) + String(randomInt(random, 0, 99_999_999)).padStart(8, '0');
}

function homeIn(region: DemoRegion, random: Random): { lat: number; lng: number } {
  const ring = region.boundary.coordinates[0]!.slice(0, -1) as Point[];
  const [lng, lat] = randomPointInConvex(ring, random);
  return { lat: Number(lat.toFixed(7)), lng: Number(lng.toFixed(7)) };
}

export async function isSeeded(prisma: Prisma.TransactionClient): Promise<boolean> {
  return (await prisma.region.count()) > 0;
}

/**
 * Seeds the Anshan demo city into an empty database: regions, categories,
 * skills, grid members, community staff, dispatchers, volunteers, care
 * recipients and the demo accounts. Deterministic; refuses a seeded database.
 * All or nothing: one transaction, so a seed cut short leaves the database
 * empty (and seedable), never half a city that counts as seeded.
 */
export async function seedDemoCity(
  prisma: PrismaClient,
  options: { log?: (line: string) => void } = {},
): Promise<SeedSummary> {
  return prisma.$transaction((tx) => seedCity(tx, options), {
    maxWait: 10_000,
    timeout: 10 * 60_000,
  });
}

async function seedCity(
  prisma: Prisma.TransactionClient,
  options: { log?: (line: string) => void },
): Promise<SeedSummary> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  if (await isSeeded(prisma)) {
    throw new Error(
      'The database already has regions; run `npm run db:reset` first to seed again.',
    );
  }
  const city = generateDemoCity(loadAnshanData());
  const passwordHash = await hash(DEMO_PASSWORD);

  // Regions, level by level, so that every parent id is known before its children.
  const regionId = new Map<string, number>();
  for (const regions of [[city.city], city.districts, city.streets, city.communities, city.grids]) {
    for (let i = 0; i < regions.length; i += BATCH) {
      await prisma.region.createMany({
        data: regions.slice(i, i + BATCH).map((region) => ({
          code: region.code,
          name: region.name,
          nameEn: region.nameEn,
          level: region.level,
          parentId: region.parentCode === null ? null : regionId.get(region.parentCode)!,
          boundary: region.boundary as unknown as Prisma.InputJsonValue,
          centroidLat: region.centroid.lat,
          centroidLng: region.centroid.lng,
        })),
      });
    }
    const rows = await prisma.region.findMany({
      where: { level: regions[0]!.level },
      select: { id: true, code: true },
    });
    for (const row of rows) regionId.set(row.code, row.id);
  }
  log(`regions: ${regionId.size}`);

  await prisma.category.createMany({
    data: DEMO_CATEGORIES.map((category, index) => ({
      code: category.code,
      nameZh: category.nameZh,
      nameEn: category.nameEn,
      department: category.department,
      defaultPriority: category.defaultPriority,
      policy: category.policy as unknown as Prisma.InputJsonValue,
      requiresVerification: category.requiresVerification ?? false,
      sensitive: category.sensitive ?? false,
      elderlyService: category.elderlyService ?? null,
      attributes: category.attributes
        ? (categoryAttributesSchema.parse(category.attributes) as Prisma.InputJsonValue)
        : undefined,
      sortOrder: index,
    })),
  });
  await prisma.skill.createMany({ data: [...DEMO_SKILLS] });

  const homeStreet = city.streets.find((street) => street.name === HOME_STREET_NAME);
  const homeCommunity = city.communities.find(
    (community) =>
      community.name === HOME_COMMUNITY_NAME && community.parentCode === homeStreet?.code,
  );
  if (!homeCommunity)
    throw new Error(`${HOME_COMMUNITY_NAME} of ${HOME_STREET_NAME} is missing from the data`);
  const homeGrid = city.grids.find((grid) => grid.parentCode === homeCommunity.code)!;

  interface NewUser {
    username: string;
    displayName: string;
    role: Role;
    regionCode: string | null;
    phone: string;
    onDuty: boolean;
  }
  const users: NewUser[] = [];
  const person = (username: string, role: Role, regionCode: string | null, onDuty = false) => {
    const random = randomFor(DEMO_CITY_SEED, `user:${username}`);
    users.push({
      username,
      displayName: chineseName(random),
      role,
      regionCode,
      phone: mobile(random),
      onDuty,
    });
  };
  person('admin', 'ADMIN', city.city.code);
  person('dispatcher', 'DISPATCHER', city.city.code, true);
  person('member', 'GRID_MEMBER', homeGrid.code, true);
  person('community', 'COMMUNITY_STAFF', homeCommunity.code, true);
  person('volunteer', 'VOLUNTEER', homeCommunity.code);
  const gridMemberName = (grid: DemoRegion) => (grid === homeGrid ? 'member' : `gm-${grid.code}`);
  for (const grid of city.grids)
    if (grid !== homeGrid) person(gridMemberName(grid), 'GRID_MEMBER', grid.code, true);
  for (const community of city.communities)
    person(`cs-${community.code}`, 'COMMUNITY_STAFF', community.code, true);
  for (const region of [city.city, ...city.districts, ...city.streets]) {
    person(`dsp-${region.code}`, 'DISPATCHER', region.code, true);
  }
  for (let n = 1; n <= DEMO_VOLUNTEERS; n++)
    person(`vol-${String(n).padStart(4, '0')}`, 'VOLUNTEER', null);

  for (let i = 0; i < users.length; i += BATCH) {
    await prisma.user.createMany({
      data: users.slice(i, i + BATCH).map((user) => ({
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        regionId: user.regionCode === null ? null : regionId.get(user.regionCode)!,
        phone: user.phone,
        passwordHash,
        onDuty: user.onDuty,
      })),
    });
  }
  const userId = new Map(
    (await prisma.user.findMany({ select: { id: true, username: true } })).map((row) => [
      row.username,
      row.id,
    ]),
  );
  log(`users: ${userId.size}`);

  // Each grid's backup is the member of the next grid in the same community.
  const gridsByCommunity = new Map<string, DemoRegion[]>();
  for (const grid of city.grids) {
    const siblings = gridsByCommunity.get(grid.parentCode!) ?? [];
    siblings.push(grid);
    gridsByCommunity.set(grid.parentCode!, siblings);
  }
  await prisma.gridAssignment.createMany({
    data: city.grids.map((grid) => {
      const siblings = gridsByCommunity.get(grid.parentCode!)!;
      const backup = siblings[(siblings.indexOf(grid) + 1) % siblings.length]!;
      return {
        gridId: regionId.get(grid.code)!,
        memberId: userId.get(gridMemberName(grid))!,
        backupId: backup === grid ? null : userId.get(gridMemberName(backup))!,
      };
    }),
  });

  // Volunteers: the demo one in 健身社区, the rest spread over the city, each at home in a grid.
  const skills = await prisma.skill.findMany({ select: { id: true } });
  const volunteerRows: Prisma.VolunteerCreateManyInput[] = [];
  const volunteerSkills: Prisma.VolunteerSkillCreateManyInput[] = [];
  const volunteerNames = [
    'volunteer',
    ...users.filter((u) => u.username.startsWith('vol-')).map((u) => u.username),
  ];
  for (const username of volunteerNames) {
    const random = randomFor(DEMO_CITY_SEED, `volunteer:${username}`);
    const community = username === 'volunteer' ? homeCommunity : pick(random, city.communities);
    const grid = pick(random, gridsByCommunity.get(community.code)!);
    const home = homeIn(grid, random);
    const id = userId.get(username)!;
    volunteerRows.push({
      userId: id,
      status: 'APPROVED',
      homeCommunityId: regionId.get(community.code)!,
      homeLat: home.lat,
      homeLng: home.lng,
      approvedAt: new Date('2026-01-01T00:00:00Z'),
    });
    for (const skill of sample(random, skills, randomInt(random, 1, 3))) {
      volunteerSkills.push({ volunteerId: id, skillId: skill.id });
    }
  }
  await prisma.volunteer.createMany({ data: volunteerRows });
  await prisma.volunteerSkill.createMany({ data: volunteerSkills });

  const teamNames = [
    '学雷锋志愿服务队',
    '银发互助队',
    '青年先锋队',
    '邻里守望队',
    '巾帼志愿队',
    '党员先锋队',
  ];
  for (const [index, name] of teamNames.entries()) {
    const community =
      index === 0 ? homeCommunity : city.communities[(index * 61) % city.communities.length]!;
    const members = volunteerRows.filter((_, n) => n % teamNames.length === index).slice(0, 25);
    await prisma.team.create({
      data: {
        name: `${community.name}${name}`,
        communityId: regionId.get(community.code)!,
        members: {
          create: members.map((member, n) => ({ volunteerId: member.userId, leader: n === 0 })),
        },
      },
    });
  }

  // Care recipients: half in 健身社区, the rest in other communities, each with a call button.
  const kinds = ['ELDERLY_ALONE', 'DISABLED', 'LOW_INCOME', 'SPECIAL_HARDSHIP'] as const;
  for (let n = 0; n < DEMO_CARE_RECIPIENTS; n++) {
    const random = randomFor(DEMO_CITY_SEED, `care:${n}`);
    const community = n < DEMO_CARE_RECIPIENTS / 2 ? homeCommunity : pick(random, city.communities);
    const grid = pick(random, gridsByCommunity.get(community.code)!);
    const home = homeIn(grid, random);
    const fullName = chineseName(random);
    await prisma.careRecipient.create({
      data: {
        communityId: regionId.get(community.code)!,
        gridId: regionId.get(grid.code)!,
        householdName: `${fullName}家`,
        firstName: fullName.slice(1),
        kind: n % 3 === 0 ? pick(random, kinds) : 'ELDERLY_ALONE',
        address: `${community.name}${randomInt(random, 1, 30)}号楼${randomInt(random, 1, 6)}单元${randomInt(random, 101, 1802)}室`,
        lat: home.lat,
        lng: home.lng,
        contacts: [{ name: chineseName(random), relation: '子女', phone: mobile(random) }],
        visitEveryDays: pick(random, [3, 7, 14]),
        devices: { create: [{ id: `CB-${String(n + 1).padStart(6, '0')}` }] },
      },
    });
  }

  await prisma.reward.createMany({
    data: [
      { nameZh: '米面粮油礼包', nameEn: 'Rice and oil pack', cost: 200, stock: 50 },
      { nameZh: '志愿者马甲', nameEn: 'Volunteer vest', cost: 80, stock: 100 },
      { nameZh: '公交卡充值50元', nameEn: 'Bus card top-up ¥50', cost: 300, stock: 30 },
      { nameZh: '社区理发券', nameEn: 'Haircut voucher', cost: 50, stock: 200 },
    ],
  });

  const count = (role: Role) => users.filter((user) => user.role === role).length;
  const summary: SeedSummary = {
    regions: {
      city: 1,
      districts: city.districts.length,
      streets: city.streets.length,
      communities: city.communities.length,
      grids: city.grids.length,
    },
    users: users.length,
    gridMembers: count('GRID_MEMBER'),
    communityStaff: count('COMMUNITY_STAFF'),
    dispatchers: count('DISPATCHER'),
    volunteers: volunteerRows.length,
    categories: DEMO_CATEGORIES.length,
    careRecipients: DEMO_CARE_RECIPIENTS,
    milliseconds: Date.now() - started,
  };
  log(`seeded in ${summary.milliseconds} ms`);
  return summary;
}
