import type {
  CategoryAttributeInput,
  DeadlinePolicy,
  ElderlyService,
  Priority,
  PriorityPolicy,
} from '@gridline/core';

export interface DemoCategory {
  code: string;
  nameZh: string;
  nameEn: string;
  department: string;
  defaultPriority: Priority;
  policy: DeadlinePolicy;
  requiresVerification?: boolean;
  sensitive?: boolean;
  elderlyService?: ElderlyService;
  /** Questions a report answers (the Open311 service definition). */
  attributes?: CategoryAttributeInput[];
}

const level = (
  acceptMinutes: number,
  resolveMinutes: number,
  escalationAcceptMinutes: [number, number, number],
): PriorityPolicy => ({
  acceptMinutes,
  resolveMinutes,
  reminders: [0.5, 0.8],
  escalationAcceptMinutes,
});

const HOUR = 60;
const DAY = 24 * HOUR;

/** The usual city policy: urgent accept 5 min / resolve 2 h … low accept 1 h / resolve 14 days. */
const STANDARD: DeadlinePolicy = {
  URGENT: level(5, 2 * HOUR, [5, 10, 15]),
  HIGH: level(15, 1 * DAY, [15, 20, 30]),
  NORMAL: level(30, 7 * DAY, [30, 45, 60]),
  LOW: level(60, 14 * DAY, [60, 90, 120]),
};
/** Utilities and elderly services cannot wait days. */
const FAST: DeadlinePolicy = {
  URGENT: level(3, 1 * HOUR, [3, 5, 10]),
  HIGH: level(10, 4 * HOUR, [10, 15, 20]),
  NORMAL: level(20, 1 * DAY, [20, 30, 45]),
  LOW: level(30, 3 * DAY, [30, 45, 60]),
};

const CITY_MANAGEMENT = '城市管理局 City Management';

const option = (key: string, zh: string, en: string) => ({ key, name: { zh, en } });

const NOISE_ATTRIBUTES: CategoryAttributeInput[] = [
  {
    code: 'NOISE_SOURCE',
    datatype: 'singlevaluelist',
    required: true,
    order: 1,
    description: { zh: '噪音来源', en: 'Where does the noise come from?' },
    values: [
      option('CONSTRUCTION', '施工', 'Construction'),
      option('BUSINESS', '商铺经营', 'A shop or restaurant'),
      option('RESIDENTIAL', '居民生活', 'Neighbours'),
      option('TRAFFIC', '交通', 'Traffic'),
      option('OTHER', '其他', 'Other'),
    ],
  },
  {
    code: 'HEARD_AT',
    datatype: 'datetime',
    order: 2,
    description: { zh: '最近一次听到的时间', en: 'When was it last heard?' },
  },
];

const GARBAGE_ATTRIBUTES: CategoryAttributeInput[] = [
  {
    code: 'WASTE_TYPES',
    datatype: 'multivaluelist',
    required: true,
    order: 1,
    description: { zh: '垃圾种类', en: 'What kind of waste?' },
    values: [
      option('HOUSEHOLD', '生活垃圾', 'Household waste'),
      option('KITCHEN', '厨余垃圾', 'Kitchen waste'),
      option('BULKY', '大件垃圾', 'Bulky items'),
      option('CONSTRUCTION', '建筑垃圾', 'Construction waste'),
    ],
  },
];

const ROAD_DAMAGE_ATTRIBUTES: CategoryAttributeInput[] = [
  {
    code: 'BLOCKS_TRAFFIC',
    datatype: 'singlevaluelist',
    required: true,
    order: 1,
    description: { zh: '是否影响通行', en: 'Does it block traffic?' },
    values: [option('YES', '是', 'Yes'), option('NO', '否', 'No')],
  },
  {
    code: 'AREA_M2',
    datatype: 'number',
    order: 2,
    description: { zh: '破损面积', en: 'Damaged area' },
    datatypeDescription: { zh: '平方米，估计即可', en: 'Square metres; an estimate will do' },
  },
];

const STREET_LIGHT_ATTRIBUTES: CategoryAttributeInput[] = [
  {
    code: 'POLE_NUMBER',
    datatype: 'string',
    order: 1,
    description: { zh: '灯杆编号', en: 'Pole number' },
    datatypeDescription: {
      zh: '灯杆上的编号牌，如 TD-0231',
      en: 'The plate on the pole, e.g. TD-0231',
    },
  },
  {
    code: 'FAULT',
    datatype: 'singlevaluelist',
    required: true,
    order: 2,
    description: { zh: '故障情况', en: 'What is wrong?' },
    values: [
      option('OUT', '不亮', 'Not lit'),
      option('FLICKERING', '闪烁', 'Flickering'),
      option('DAY_BURNING', '白天常亮', 'Lit during the day'),
      option('DAMAGED', '灯杆损坏', 'Damaged pole'),
    ],
  },
];

const WATER_LEAK_ATTRIBUTES: CategoryAttributeInput[] = [
  {
    code: 'SAFETY_NOTICE',
    variable: false,
    datatype: 'text',
    order: 0,
    description: {
      zh: '室内大量漏水请先关闭入户总阀，并远离电器。',
      en: 'For a large leak indoors, first close the main valve and keep away from electrical appliances.',
    },
  },
  {
    code: 'LEAK_PLACE',
    datatype: 'singlevaluelist',
    required: true,
    order: 1,
    description: { zh: '漏水位置', en: 'Where is the leak?' },
    values: [
      option('INDOORS', '室内', 'Indoors'),
      option('STAIRWELL', '楼道', 'Stairwell'),
      option('STREET', '道路或井盖', 'Street or manhole'),
    ],
  },
  {
    code: 'DETAILS',
    datatype: 'text',
    order: 2,
    description: { zh: '补充说明', en: 'Anything else?' },
  },
];
const HOUSING = '住房和城乡建设局 Housing and Construction';
const CIVIL_AFFAIRS = '民政局 Civil Affairs';

export const DEMO_CATEGORIES: readonly DemoCategory[] = [
  {
    code: 'NOISE',
    nameZh: '噪音扰民',
    nameEn: 'Noise',
    department: '生态环境局 Ecology and Environment',
    defaultPriority: 'NORMAL',
    policy: STANDARD,
    attributes: NOISE_ATTRIBUTES,
  },
  {
    code: 'GARBAGE',
    nameZh: '垃圾清运',
    nameEn: 'Garbage collection',
    department: CITY_MANAGEMENT,
    defaultPriority: 'NORMAL',
    policy: STANDARD,
    attributes: GARBAGE_ATTRIBUTES,
  },
  {
    code: 'ROAD_DAMAGE',
    nameZh: '道路破损',
    nameEn: 'Road damage',
    department: HOUSING,
    defaultPriority: 'NORMAL',
    policy: STANDARD,
    requiresVerification: true,
    attributes: ROAD_DAMAGE_ATTRIBUTES,
  },
  {
    code: 'STREET_LIGHT',
    nameZh: '路灯故障',
    nameEn: 'Street light out',
    department: CITY_MANAGEMENT,
    defaultPriority: 'NORMAL',
    policy: STANDARD,
    attributes: STREET_LIGHT_ATTRIBUTES,
  },
  {
    code: 'WATER_LEAK',
    nameZh: '供水漏水',
    nameEn: 'Water leak',
    department: '水务集团 Water Company',
    defaultPriority: 'HIGH',
    policy: FAST,
    attributes: WATER_LEAK_ATTRIBUTES,
  },
  {
    code: 'HEATING',
    nameZh: '供暖问题',
    nameEn: 'Heating',
    department: '热力公司 Heating Company',
    defaultPriority: 'HIGH',
    policy: FAST,
  },
  {
    code: 'ILLEGAL_PARKING',
    nameZh: '违章停车',
    nameEn: 'Illegal parking',
    department: '公安交警 Traffic Police',
    defaultPriority: 'NORMAL',
    policy: STANDARD,
  },
  {
    code: 'ILLEGAL_CONSTRUCTION',
    nameZh: '违章建筑',
    nameEn: 'Illegal construction',
    department: CITY_MANAGEMENT,
    defaultPriority: 'NORMAL',
    policy: STANDARD,
    requiresVerification: true,
  },
  {
    code: 'NEIGHBOUR_DISPUTE',
    nameZh: '邻里纠纷',
    nameEn: 'Neighbour dispute',
    department: '司法所 Justice Office',
    defaultPriority: 'NORMAL',
    policy: STANDARD,
    sensitive: true,
  },
  {
    code: 'STRAY_ANIMALS',
    nameZh: '流浪动物',
    nameEn: 'Stray animals',
    department: '农业农村局 Agriculture',
    defaultPriority: 'LOW',
    policy: STANDARD,
  },
  {
    code: 'PROPERTY_MANAGEMENT',
    nameZh: '物业服务',
    nameEn: 'Property management',
    department: HOUSING,
    defaultPriority: 'NORMAL',
    policy: STANDARD,
  },
  {
    code: 'GREENERY',
    nameZh: '绿化养护',
    nameEn: 'Trees and greenery',
    department: '园林绿化 Parks',
    defaultPriority: 'LOW',
    policy: STANDARD,
  },
  {
    code: 'FIRE_HAZARD',
    nameZh: '消防隐患',
    nameEn: 'Fire hazard',
    department: '消防救援 Fire and Rescue',
    defaultPriority: 'URGENT',
    policy: FAST,
    requiresVerification: true,
  },
  {
    code: 'ELDERLY_MEALS',
    nameZh: '助餐',
    nameEn: 'Meals',
    department: CIVIL_AFFAIRS,
    defaultPriority: 'HIGH',
    policy: FAST,
    elderlyService: 'MEALS',
  },
  {
    code: 'ELDERLY_SHOPPING',
    nameZh: '助购',
    nameEn: 'Shopping',
    department: CIVIL_AFFAIRS,
    defaultPriority: 'NORMAL',
    policy: FAST,
    elderlyService: 'SHOPPING',
  },
  {
    code: 'ELDERLY_BATHING',
    nameZh: '助浴',
    nameEn: 'Bathing',
    department: CIVIL_AFFAIRS,
    defaultPriority: 'NORMAL',
    policy: FAST,
    elderlyService: 'BATHING',
  },
  {
    code: 'ELDERLY_CLEANING',
    nameZh: '助洁',
    nameEn: 'Cleaning',
    department: CIVIL_AFFAIRS,
    defaultPriority: 'NORMAL',
    policy: FAST,
    elderlyService: 'CLEANING',
  },
  {
    code: 'ELDERLY_MEDICAL',
    nameZh: '助医',
    nameEn: 'Medical help',
    department: '卫生健康委 Health',
    defaultPriority: 'HIGH',
    policy: FAST,
    elderlyService: 'MEDICAL',
  },
  {
    code: 'ELDERLY_EMERGENCY',
    nameZh: '助急',
    nameEn: 'Emergency help',
    department: CIVIL_AFFAIRS,
    defaultPriority: 'URGENT',
    policy: FAST,
    elderlyService: 'EMERGENCY',
  },
  {
    code: 'ELDERLY_COMPANY',
    nameZh: '助乐',
    nameEn: 'Company',
    department: CIVIL_AFFAIRS,
    defaultPriority: 'LOW',
    policy: FAST,
    elderlyService: 'COMPANY',
  },
  {
    code: 'ELDERLY_MOBILITY',
    nameZh: '助行',
    nameEn: 'Mobility',
    department: CIVIL_AFFAIRS,
    defaultPriority: 'NORMAL',
    policy: FAST,
    elderlyService: 'MOBILITY',
  },
  {
    code: 'OTHER',
    nameZh: '其他',
    nameEn: 'Other',
    department: '街道综合办 Street Office',
    defaultPriority: 'NORMAL',
    policy: STANDARD,
  },
];

export const DEMO_SKILLS: ReadonlyArray<{ code: string; nameZh: string; nameEn: string }> = [
  { code: 'ELDERLY_CARE', nameZh: '养老照护', nameEn: 'Elderly care' },
  { code: 'MEDICAL', nameZh: '医疗护理', nameEn: 'Medical' },
  { code: 'REPAIRS', nameZh: '家电维修', nameEn: 'Repairs' },
  { code: 'PSYCHOLOGICAL', nameZh: '心理疏导', nameEn: 'Psychological support' },
  { code: 'LEGAL_AID', nameZh: '法律援助', nameEn: 'Legal aid' },
  { code: 'EMERGENCY', nameZh: '应急救援', nameEn: 'Emergency' },
  { code: 'HAIRCUT', nameZh: '义务理发', nameEn: 'Haircuts' },
  { code: 'KNIFE_SHARPENING', nameZh: '磨刀', nameEn: 'Knife sharpening' },
  { code: 'TUTORING', nameZh: '课业辅导', nameEn: 'Tutoring' },
  { code: 'DRIVING', nameZh: '驾车接送', nameEn: 'Driving' },
  { code: 'COOKING', nameZh: '助餐配送', nameEn: 'Meal delivery' },
  { code: 'CLEANING', nameZh: '保洁', nameEn: 'Cleaning' },
];
