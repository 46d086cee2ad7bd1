import * as admin from './areas/admin.ts';
import * as community from './areas/community.ts';
import * as dashboard from './areas/dashboard.ts';
import * as dispatch from './areas/dispatch.ts';
import * as hotline from './areas/hotline.ts';
import * as member from './areas/member.ts';
import * as volunteer from './areas/volunteer.ts';

/**
 * Every string the web app shows, in Simplified Chinese (the default) and
 * English. Keys are grouped by where they appear; `{name}` marks a parameter.
 * Shared strings live here, each page's own in ./areas/<page>.ts.
 */
const common = {
  'app.name': '网格通',
  'app.subtitle': '城市网格化管理与调度平台',
  'app.skipToContent': '跳到主要内容',
  'nav.main': '主导航',
  'nav.dispatch': '调度地图',
  'nav.member': '我的工单',
  'nav.hotline': '热线受理',
  'nav.dashboard': '统计看板',
  'nav.admin': '系统管理',

  'header.signOut': '退出登录',
  'header.signingOut': '正在退出…',
  'header.account': '当前用户',
  'lang.switchTo': 'English',
  'lang.switchLabel': 'Switch to English',

  'role.RESIDENT': '居民',
  'role.VOLUNTEER': '志愿者',
  'role.GRID_MEMBER': '网格员',
  'role.COMMUNITY_STAFF': '社区工作人员',
  'role.DISPATCHER': '调度员',
  'role.ADMIN': '管理员',

  'login.title': '登录',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.submitting': '正在登录…',
  'login.error.required': '请输入用户名和密码',
  'login.error.credentials': '用户名或密码错误',
  'login.error.rateLimited': '尝试次数过多，请 {seconds} 秒后再试',
  'login.error.rateLimitedLater': '尝试次数过多，请稍后再试',
  'login.error.network': '无法连接服务器，请检查网络',
  'login.error.unavailable': '服务暂时不可用，请稍后再试',
  'login.error.generic': '登录失败：{message}',

  'status.NEW': '新建',
  'status.ASSIGNED': '已派遣',
  'status.ACCEPTED': '已接单',
  'status.IN_PROGRESS': '处置中',
  'status.PENDING': '已挂起',
  'status.RESOLVED': '已办结',
  'status.VERIFIED': '已核查',
  'status.CLOSED': '已结案',
  'status.REOPENED': '已重启',
  'status.CANCELLED': '已撤销',
  'status.DUPLICATE': '重复工单',

  'priority.label': '优先级',
  'priority.LOW': '低',
  'priority.NORMAL': '一般',
  'priority.HIGH': '高',
  'priority.URGENT': '紧急',

  'channel.HOTLINE': '热线',
  'channel.WEB': '网站',
  'channel.APP': '移动端',
  'channel.PATROL': '巡查',
  'channel.DEVICE': '一键呼叫',
  'channel.OPEN311': 'Open311',

  'escalation.0': '网格处置',
  'escalation.1': '已升级至社区',
  'escalation.2': '已升级至街道',
  'escalation.3': '已升级至区',
  'escalation.4': '市级告警',

  'urgency.onTime': '按时',
  'urgency.dueSoon': '即将超时',
  'urgency.overdue': '已超时',
  'urgency.escalated': '已升级',

  'deadline.acceptIn': '接单剩余 {time}',
  'deadline.resolveIn': '办结剩余 {time}',
  'deadline.acceptOverdue': '接单超时 {time}',
  'deadline.resolveOverdue': '办结超时 {time}',
  'deadline.none': '无时限',
  'duration.days': '{days}天{hours}小时',

  'connection.connected': '实时连接正常',
  'connection.connecting': '正在连接…',
  'connection.reconnecting': '连接中断，正在重连…',
  'connection.offline': '网络已断开',
  'connection.syncing': '正在同步…',

  'dispatch.title': '调度地图',
  'dispatch.listTitle': '待办工单',
  'dispatch.count': '共 {count} 件',
  'dispatch.empty': '辖区内暂无待办工单',
  'dispatch.loading': '正在加载…',
  'dispatch.loadError': '加载失败：{message}',
  'dispatch.retry': '重试',
  'dispatch.truncated': '仅显示前 {count} 件',
  'dispatch.showMore': '再显示 {count} 件（共剩 {remaining} 件）',
  'dispatch.forbidden': '您的角色无法使用调度地图',
  'dispatch.sortedBy': '按时限排序',

  'map.label': '辖区地图：工单与网格',
  'map.noTiles': '未配置底图，显示辖区边界',
  'map.zoomForGrids': '放大地图或点击社区以查看网格',
  'map.loadingGrids': '正在加载网格…',
  'map.legend': '图例',
  'map.showTicket': '在地图上定位 {code}',

  'ticket.code': '编号',
  'ticket.category': '分类',
  'ticket.status': '状态',
  'ticket.address': '地址',
  'ticket.channel': '渠道',
  'ticket.outsideGrid': '网格外',
  'ticket.unknownCategory': '未知分类（{code}）',
  'ticket.noAddress': '（无地址）',

  'error.title': '出错了',
  'error.notFound': '页面不存在',
  'error.backHome': '返回首页',
  'error.network': '无法连接服务器',
} as const;

export const zh = {
  ...common,
  ...member.zh,
  ...hotline.zh,
  ...dashboard.zh,
  ...admin.zh,
  ...dispatch.zh,
  ...volunteer.zh,
  ...community.zh,
};

export type MessageKey = keyof typeof zh;
export type Messages = Record<MessageKey, string>;

const commonEn: Record<keyof typeof common, string> = {
  'app.name': 'Gridline',
  'app.subtitle': 'Grid management and dispatch',
  'app.skipToContent': 'Skip to main content',
  'nav.main': 'Main navigation',
  'nav.dispatch': 'Dispatch map',
  'nav.member': 'My tickets',
  'nav.hotline': 'Hotline',
  'nav.dashboard': 'Dashboard',
  'nav.admin': 'Admin',

  'header.signOut': 'Sign out',
  'header.signingOut': 'Signing out…',
  'header.account': 'Signed in as',
  'lang.switchTo': '中文',
  'lang.switchLabel': '切换到中文',

  'role.RESIDENT': 'Resident',
  'role.VOLUNTEER': 'Volunteer',
  'role.GRID_MEMBER': 'Grid member',
  'role.COMMUNITY_STAFF': 'Community staff',
  'role.DISPATCHER': 'Dispatcher',
  'role.ADMIN': 'Administrator',

  'login.title': 'Sign in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.submitting': 'Signing in…',
  'login.error.required': 'Enter your username and password',
  'login.error.credentials': 'Wrong username or password',
  'login.error.rateLimited': 'Too many attempts. Try again in {seconds} s',
  'login.error.rateLimitedLater': 'Too many attempts. Try again later',
  'login.error.network': 'Cannot reach the server. Check your connection',
  'login.error.unavailable': 'The service is unavailable. Try again later',
  'login.error.generic': 'Sign-in failed: {message}',

  'status.NEW': 'New',
  'status.ASSIGNED': 'Assigned',
  'status.ACCEPTED': 'Accepted',
  'status.IN_PROGRESS': 'In progress',
  'status.PENDING': 'On hold',
  'status.RESOLVED': 'Resolved',
  'status.VERIFIED': 'Verified',
  'status.CLOSED': 'Closed',
  'status.REOPENED': 'Reopened',
  'status.CANCELLED': 'Cancelled',
  'status.DUPLICATE': 'Duplicate',

  'priority.label': 'Priority',
  'priority.LOW': 'Low',
  'priority.NORMAL': 'Normal',
  'priority.HIGH': 'High',
  'priority.URGENT': 'Urgent',

  'channel.HOTLINE': 'Hotline',
  'channel.WEB': 'Web',
  'channel.APP': 'App',
  'channel.PATROL': 'Patrol',
  'channel.DEVICE': 'Call button',
  'channel.OPEN311': 'Open311',

  'escalation.0': 'At grid level',
  'escalation.1': 'Escalated to community',
  'escalation.2': 'Escalated to street',
  'escalation.3': 'Escalated to district',
  'escalation.4': 'City alert',

  'urgency.onTime': 'On time',
  'urgency.dueSoon': 'Due soon',
  'urgency.overdue': 'Overdue',
  'urgency.escalated': 'Escalated',

  'deadline.acceptIn': 'Accept within {time}',
  'deadline.resolveIn': 'Resolve within {time}',
  'deadline.acceptOverdue': 'Accept overdue by {time}',
  'deadline.resolveOverdue': 'Resolve overdue by {time}',
  'deadline.none': 'No deadline',
  'duration.days': '{days}d {hours}h',

  'connection.connected': 'Live',
  'connection.connecting': 'Connecting…',
  'connection.reconnecting': 'Connection lost, reconnecting…',
  'connection.offline': 'Offline',
  'connection.syncing': 'Catching up…',

  'dispatch.title': 'Dispatch map',
  'dispatch.listTitle': 'Open tickets',
  'dispatch.count': '{count} open',
  'dispatch.empty': 'No open tickets in your area',
  'dispatch.loading': 'Loading…',
  'dispatch.loadError': 'Could not load: {message}',
  'dispatch.retry': 'Retry',
  'dispatch.truncated': 'Showing the first {count}',
  'dispatch.showMore': 'Show {count} more ({remaining} left)',
  'dispatch.forbidden': 'Your role cannot use the dispatch map',
  'dispatch.sortedBy': 'Soonest deadline first',

  'map.label': 'Map of your area: tickets and grids',
  'map.noTiles': 'No base map configured: showing region outlines',
  'map.zoomForGrids': 'Zoom in or click a community to see its grids',
  'map.loadingGrids': 'Loading grids…',
  'map.legend': 'Legend',
  'map.showTicket': 'Show {code} on the map',

  'ticket.code': 'Code',
  'ticket.category': 'Category',
  'ticket.status': 'Status',
  'ticket.address': 'Address',
  'ticket.channel': 'Channel',
  'ticket.outsideGrid': 'Outside grids',
  'ticket.unknownCategory': 'Unknown category ({code})',
  'ticket.noAddress': '(no address)',

  'error.title': 'Something went wrong',
  'error.notFound': 'Page not found',
  'error.backHome': 'Back to start',
  'error.network': 'Cannot reach the server',
};

export const en: Messages = {
  ...commonEn,
  ...member.en,
  ...hotline.en,
  ...dashboard.en,
  ...admin.en,
  ...dispatch.en,
  ...volunteer.en,
  ...community.en,
};
