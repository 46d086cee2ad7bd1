import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type {
  Open311ApiKeyDto,
  Open311IssuedKey,
  TicketEventPayload,
  TicketSummary,
} from '@gridline/core';
import {
  recordEvents,
  startSystem,
  waitFor,
  type Session,
  type TestSystem,
} from './support/system.ts';
import { encodeComponent, hostileQuery, hostileString, shown } from './support/hostile.ts';
import {
  asXmlText,
  listProblems,
  OPEN311_LISTS,
  OPEN311_SCHEMAS,
  parseXml,
  schemaProblems,
  xmlToValue,
  type XmlNode,
} from './support/open311.ts';

/**
 * Open311 GeoReport v2 at /open311/v2 against the real services: every call in
 * XML and JSON, every refusal in both error shapes, the answers against the
 * published field rules, and a request filed here walking the same lifecycle
 * as any other ticket.
 */

type Format = 'json' | 'xml';
const FORMATS: readonly Format[] = ['json', 'xml'];

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

describe('Open311 GeoReport v2', () => {
  let system: TestSystem;
  let admin: Session;
  let member: Session;
  let apiKey: string;
  let revokedKey: string;
  let where: { lat: number; lng: number };

  const base = () => `${system.baseUrl}/open311/v2`;

  async function call(
    path: string,
    init: {
      method?: string;
      body?: string;
      contentType?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const response = await fetch(`${base()}/${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body === undefined
          ? {}
          : { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded' }),
        ...init.headers,
      },
      body: init.body,
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  /** The answer's value, from JSON, or from the XML read back into the JSON's shape. */
  function valueOf(answer: Answer, format: Format): unknown {
    if (format === 'json') {
      expect(answer.contentType).toMatch(/^application\/json; charset=utf-8/);
      return JSON.parse(answer.text) as unknown;
    }
    expect(answer.contentType).toMatch(/^text\/xml; charset=utf-8/);
    return xmlToValue(parseXml(answer.text), OPEN311_LISTS);
  }

  /** The same call in both formats: the JSON, after checking the XML carries the same. */
  async function both(path: string, expectedStatus = 200): Promise<unknown> {
    const json = await call(`${path.replace('{fmt}', 'json')}`);
    const xml = await call(`${path.replace('{fmt}', 'xml')}`);
    expect(json.status, json.text).toBe(expectedStatus);
    expect(xml.status, xml.text).toBe(expectedStatus);
    const value = valueOf(json, 'json');
    expect(valueOf(xml, 'xml')).toEqual(asXmlText(value));
    return value;
  }

  /** A refusal in the GeoReport v2 error shape of the format, with this status. */
  function expectError(answer: Answer, status: number, format: Format): string {
    expect(answer.status, answer.text).toBe(status);
    expect(answer.text).not.toMatch(/at .*\.ts:\d+|node_modules|Prisma/);
    if (format === 'json') {
      expect(answer.contentType).toMatch(/^application\/json/);
      const errors = JSON.parse(answer.text) as Array<{ code: unknown; description: unknown }>;
      expect(Array.isArray(errors)).toBe(true);
      expect(errors).toHaveLength(1);
      expect(Object.keys(errors[0]!).sort()).toEqual(['code', 'description']);
      expect(errors[0]!.code).toBe(status);
      expect(typeof errors[0]!.description).toBe('string');
      expect((errors[0]!.description as string).length).toBeGreaterThan(0);
      return errors[0]!.description as string;
    }
    expect(answer.contentType).toMatch(/^text\/xml/);
    const root: XmlNode = parseXml(answer.text);
    expect(root.name).toBe('errors');
    expect(root.children.map((child) => child.name)).toEqual(['error']);
    const [error] = root.children;
    expect(error!.children.map((child) => child.name)).toEqual(['code', 'description']);
    expect(error!.children[0]!.text).toBe(String(status));
    expect(error!.children[1]!.text.length).toBeGreaterThan(0);
    return error!.children[1]!.text;
  }

  async function patch<T = unknown>(
    session: Session,
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method: 'PATCH',
      headers: { cookie: session.cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  const form = (fields: Record<string, string | number | undefined>) =>
    Object.entries(fields)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
      .join('&');

  /** A complete street light report, as a form; `extra` is raw form text appended. */
  const streetLight = (fields: Record<string, string | number | undefined> = {}, extra = '') =>
    [
      form({
        api_key: apiKey,
        service_code: 'STREET_LIGHT',
        lat: where.lat,
        long: where.lng,
        description: '路灯不亮',
        ...fields,
      }),
      'attribute[FAULT]=OUT',
      extra,
    ]
      .filter((part) => part !== '')
      .join('&');

  async function post(body: string, format: Format = 'json', headers: Record<string, string> = {}) {
    return call(`requests.${format}`, { body, headers });
  }

  async function file(body: string): Promise<string> {
    const answer = await post(body);
    expect(answer.status, answer.text).toBe(201);
    const [created] = valueOf(answer, 'json') as Array<{ service_request_id: string }>;
    return created!.service_request_id;
  }

  /** Rows that a refused request must leave alone. */
  async function snapshot() {
    const prisma = system.server.prisma;
    const [tickets, events, idempotency, keys] = await Promise.all([
      prisma.ticket.count(),
      prisma.ticketEvent.count(),
      prisma.idempotencyKey.count(),
      prisma.open311ApiKey.findMany({ orderBy: { id: 'asc' } }),
    ]);
    return { tickets, events, idempotency, keys };
  }

  beforeAll(async () => {
    system = await startSystem();
    [admin, member] = await Promise.all([system.login('admin'), system.login('member')]);
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
    const issued = await admin.post<Open311IssuedKey>('/api/admin/open311/keys', {
      name: '12345 热线平台',
    });
    expect(issued.status).toBe(201);
    apiKey = issued.body.key;
    const doomed = await admin.post<Open311IssuedKey>('/api/admin/open311/keys', {
      name: '已停用的合作方',
    });
    revokedKey = doomed.body.key;
    expect(
      (await admin.post(`/api/admin/open311/keys/${doomed.body.apiKey.id}/revoke`)).status,
    ).toBe(200);
  });
  afterAll(() => system?.close());

  describe('API keys (admin)', () => {
    it('are issued once in plain text, kept only as a hash, listed without the key, revoked, audited', async () => {
      const issued = await admin.post<Open311IssuedKey>('/api/admin/open311/keys', {
        name: '  测试系统  ',
      });
      expect(issued.status).toBe(201);
      expect(issued.body.key).toMatch(/^o311_[A-Za-z0-9_-]{43}$/);
      expect(issued.body.apiKey).toMatchObject({
        name: '测试系统',
        prefix: issued.body.key.slice(0, 10),
        createdBy: 'admin',
        revokedAt: null,
        lastUsedAt: null,
      });
      const row = await system.server.prisma.open311ApiKey.findUniqueOrThrow({
        where: { id: issued.body.apiKey.id },
      });
      expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(issued.body.key);

      const list = await admin.get<{ keys: Open311ApiKeyDto[] }>('/api/admin/open311/keys');
      expect(list.status).toBe(200);
      expect(JSON.stringify(list.body)).not.toContain(issued.body.key);
      expect(list.body.keys.map((key) => key.id)).toContain(issued.body.apiKey.id);

      const revoked = await admin.post<{ apiKey: Open311ApiKeyDto }>(
        `/api/admin/open311/keys/${issued.body.apiKey.id}/revoke`,
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.apiKey.revokedAt).not.toBeNull();
      expect(
        (await admin.post(`/api/admin/open311/keys/${issued.body.apiKey.id}/revoke`)).status,
      ).toBe(409);
      expect((await admin.post('/api/admin/open311/keys/999999/revoke')).status).toBe(404);

      const audit = await admin.get<{
        entries: Array<{ action: string; entityId: string; details: Record<string, unknown> }>;
      }>('/api/admin/audit?entity=open311_key');
      const mine = audit.body.entries.filter(
        (entry) => entry.entityId === String(issued.body.apiKey.id),
      );
      expect(mine.map((entry) => entry.action).sort()).toEqual(['issue', 'revoke']);
      expect(JSON.stringify(audit.body)).not.toContain(issued.body.key);
    });

    it('are for admins only, and need a name', async () => {
      expect((await member.get('/api/admin/open311/keys')).status).toBe(403);
      expect((await member.post('/api/admin/open311/keys', { name: 'x' })).status).toBe(403);
      const anonymous = await fetch(`${system.baseUrl}/api/admin/open311/keys`);
      expect(anonymous.status).toBe(401);
      expect((await admin.post('/api/admin/open311/keys', { name: '  ' })).status).toBe(400);
      expect((await admin.post('/api/admin/open311/keys', {})).status).toBe(400);
      expect((await admin.post('/api/admin/open311/keys/abc/revoke')).status).toBe(400);
    });
  });

  describe('GET services', () => {
    it('lists the active categories in both formats, by the published rules', async () => {
      const services = (await both('services.{fmt}')) as Array<Record<string, unknown>>;
      expect(listProblems(services, OPEN311_SCHEMAS.service)).toEqual([]);
      const active = await system.server.prisma.category.count({ where: { active: true } });
      expect(services).toHaveLength(active);
      expect(services.find((service) => service.service_code === 'STREET_LIGHT')).toEqual({
        service_code: 'STREET_LIGHT',
        service_name: '路灯故障',
        description: '路灯故障 (Street light out)',
        metadata: true,
        type: 'realtime',
        keywords: '路灯故障,Street light out,lu deng gu zhang,ldgz',
        group: '城市管理局 City Management',
      });
      expect(services.find((service) => service.service_code === 'OTHER')?.metadata).toBe(false);
    });

    it('names the services in English with locale=en, and takes our jurisdiction_id in any case', async () => {
      const services = (await both('services.{fmt}?locale=en&jurisdiction_id=AnShan')) as Array<
        Record<string, unknown>
      >;
      expect(services.find((service) => service.service_code === 'GARBAGE')?.service_name).toBe(
        'Garbage collection',
      );
    });

    it('defines a service by its attributes in both formats', async () => {
      const definition = (await both('services/STREET_LIGHT.{fmt}')) as {
        attributes: Array<Record<string, unknown>>;
      };
      expect(schemaProblems(definition, OPEN311_SCHEMAS.definition)).toEqual([]);
      expect(definition).toMatchObject({ service_code: 'STREET_LIGHT' });
      expect(definition.attributes.map((attribute) => attribute.code)).toEqual([
        'POLE_NUMBER',
        'FAULT',
      ]);
      expect(definition.attributes[1]).toMatchObject({
        variable: true,
        datatype: 'singlevaluelist',
        required: true,
        order: 2,
        description: '故障情况',
        values: expect.arrayContaining([{ key: 'OUT', name: '不亮' }]),
      });
      const notice = (await both('services/WATER_LEAK.{fmt}?locale=en')) as {
        attributes: Array<Record<string, unknown>>;
      };
      expect(notice.attributes[0]).toMatchObject({
        code: 'SAFETY_NOTICE',
        variable: false,
        required: false,
        values: [],
      });
      const none = await both('services/OTHER.{fmt}');
      expect(none).toEqual({ service_code: 'OTHER', attributes: [] });
    });

    it('follows an admin edit of the attributes', async () => {
      const attributes = [
        {
          code: 'TREE_KIND',
          datatype: 'singlevaluelist',
          required: true,
          order: 1,
          description: { zh: '树木情况', en: 'What happened to the tree?' },
          values: [
            { key: 'FALLEN', name: { zh: '倒伏', en: 'Fallen' } },
            { key: 'DEAD', name: { zh: '枯死', en: 'Dead' } },
          ],
        },
      ];
      const bad = await patch(admin, '/api/admin/categories/GREENERY', {
        attributes: [{ ...attributes[0], values: [] }],
      });
      expect(bad.status).toBe(400);
      const edited = await patch<{ category: { attributes: unknown[] } }>(
        admin,
        '/api/admin/categories/GREENERY',
        { attributes },
      );
      expect(edited.status).toBe(200);
      expect(edited.body.category.attributes).toHaveLength(1);
      const services = (await both('services.{fmt}')) as Array<Record<string, unknown>>;
      expect(services.find((service) => service.service_code === 'GREENERY')?.metadata).toBe(true);
      const definition = (await both('services/GREENERY.{fmt}?locale=en')) as {
        attributes: Array<{ values: unknown }>;
      };
      expect(definition.attributes[0]?.values).toEqual([
        { key: 'FALLEN', name: 'Fallen' },
        { key: 'DEAD', name: 'Dead' },
      ]);
      const code = await file(
        form({
          api_key: apiKey,
          service_code: 'GREENERY',
          lat: where.lat,
          long: where.lng,
          'attribute[TREE_KIND]': 'FALLEN',
        }),
      );
      const ticket = await system.server.prisma.ticket.findUniqueOrThrow({ where: { code } });
      expect(ticket.attributes).toEqual({ TREE_KIND: 'FALLEN' });
      // No description: the service's name stands in.
      expect(ticket.description).toBe('绿化养护');
    });
  });

  describe('POST requests', () => {
    it('files a ticket through the same intake as POST /api/tickets: routed, assigned, timed, pushed', async () => {
      const socket = await member.socket();
      const seen: TicketEventPayload[] = recordEvents(socket);
      const before = await system.server.prisma.open311ApiKey.findFirstOrThrow({
        where: { prefix: apiKey.slice(0, 10) },
      });
      const answer = await post(
        streetLight(
          {
            description: '路灯不亮\r\n已经三天了',
            address_string: '铁东区和平街道 12 号',
            first_name: '芳',
            last_name: '王',
            phone: '(138) 0013-8000',
            email: 'wang@example.org',
            device_id: 'phone-1',
            account_id: '42',
            media_url: 'https://example.org/photos/light.jpg',
          },
          'attribute%255BPOLE_NUMBER%255D=TD-0231',
        ),
      );
      expect(answer.status, answer.text).toBe(201);
      const created = valueOf(answer, 'json') as Array<Record<string, unknown>>;
      expect(listProblems(created, OPEN311_SCHEMAS.created)).toEqual([]);
      expect(created).toHaveLength(1);
      const code = created[0]!.service_request_id as string;
      expect(code).toMatch(/^GL-\d{6}-[0-9A-Z]{6}$/);
      expect(created[0]!.service_notice).toBe(`已受理，工单号 ${code}；30 分钟内响应，7 天内办结`);

      const prisma = system.server.prisma;
      const ticket = await prisma.ticket.findUniqueOrThrow({ where: { code } });
      expect(ticket).toMatchObject({
        channel: 'OPEN311',
        status: 'ASSIGNED',
        assigneeId: member.user.id,
        gridId: member.user.regionId,
        priority: 'NORMAL',
        description: '路灯不亮\n已经三天了',
        address: '铁东区和平街道 12 号',
        reporterName: '王芳',
        reporterPhone: '138 0013-8000',
        mediaUrl: 'https://example.org/photos/light.jpg',
        attributes: { FAULT: 'OUT', POLE_NUMBER: 'TD-0231' },
      });
      expect(ticket.acceptBy).not.toBeNull();
      expect(ticket.resolveBy).not.toBeNull();
      const events = await prisma.ticketEvent.findMany({
        where: { ticketId: ticket.id },
        orderBy: { id: 'asc' },
      });
      expect(events.map((event) => event.type)).toEqual(['ticket.created', 'ticket.assigned']);
      expect(events[0]!.payload).toEqual({ channel: 'OPEN311', open311ApiKeyId: before.id });
      // The intake's timer goes to Redis within a few milliseconds of the answer.
      await vi.waitFor(async () => {
        const job = await system.workers!.queue.getJob(`accept-deadline-${ticket.id}-1`);
        expect(job?.data).toMatchObject({ kind: 'accept-deadline', ticketId: ticket.id });
      });
      await waitFor(
        () => seen.find((event) => event.type === 'ticket.assigned' && event.ticket.code === code),
        10_000,
        'the grid member to hear of the new ticket',
      );
      socket.disconnect();
      // Staff read the answers as the category asks them, and the reporter's link.
      const detail = await member.get<{
        ticket: { answers: Array<{ code: string }>; mediaUrl: string | null };
      }>(`/api/tickets/${ticket.id}`);
      expect(detail.body.ticket.answers.map((row) => row.code).sort()).toEqual([
        'FAULT',
        'POLE_NUMBER',
      ]);
      expect(detail.body.ticket.mediaUrl).toBe('https://example.org/photos/light.jpg');
      const after = await prisma.open311ApiKey.findUniqueOrThrow({ where: { id: before.id } });
      expect(after.lastUsedAt).not.toBeNull();
    });

    it('keeps the OPEN311 channel to this door: POST /api/tickets may not claim it', async () => {
      for (const who of [member, null]) {
        const body = {
          categoryCode: 'NOISE',
          description: '冒充',
          location: where,
          channel: 'OPEN311',
        };
        const status = who
          ? (await who.post('/api/tickets', body)).status
          : (
              await fetch(`${system.baseUrl}/api/tickets`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(body),
              })
            ).status;
        expect(status).toBe(403);
      }
    });

    it('answers in XML when asked, and takes JSON bodies and the query string too', async () => {
      const xml = await post(streetLight(), 'xml');
      expect(xml.status, xml.text).toBe(201);
      const root = parseXml(xml.text);
      expect(root.name).toBe('service_requests');
      const created = xmlToValue(root, OPEN311_LISTS) as Array<Record<string, string>>;
      expect(created).toHaveLength(1);
      expect(Object.keys(created[0]!)).toEqual([
        'service_request_id',
        'service_notice',
        'account_id',
      ]);
      expect(created[0]!.account_id).toBe('');

      const json = await call('requests.json?jurisdiction_id=anshan', {
        contentType: 'application/json',
        body: JSON.stringify({
          api_key: apiKey,
          service_code: 'GARBAGE',
          lat: where.lat,
          long: String(where.lng),
          description: '垃圾桶满溢',
          attribute: { WASTE_TYPES: ['HOUSEHOLD', 'KITCHEN'] },
        }),
      });
      expect(json.status, json.text).toBe(201);
      const [{ service_request_id: code }] = JSON.parse(json.text) as [
        { service_request_id: string },
      ];
      const ticket = await system.server.prisma.ticket.findUniqueOrThrow({ where: { code } });
      expect(ticket.attributes).toEqual({ WASTE_TYPES: ['HOUSEHOLD', 'KITCHEN'] });

      // Everything in the query string, no body at all.
      const query = await call(`requests.json?${streetLight()}`, { method: 'POST' });
      expect(query.status, query.text).toBe(201);
    });

    it('takes repeated and bracketed keys for lists, however the client encoded them', async () => {
      const code = await file(
        [
          form({ api_key: apiKey, service_code: 'GARBAGE', lat: where.lat, long: where.lng }),
          'attribute[WASTE_TYPES][]=BULKY',
          'attribute%5BWASTE_TYPES%5D%5B%5D=KITCHEN',
          'attribute%255BWASTE_TYPES%255D=BULKY',
          'description=a+b',
        ].join('&'),
      );
      const ticket = await system.server.prisma.ticket.findUniqueOrThrow({ where: { code } });
      expect(ticket.attributes).toEqual({ WASTE_TYPES: ['BULKY', 'KITCHEN'] });
      expect(ticket.description).toBe('a b');
    });

    it('honours an Idempotency-Key: the same request files once, another body is refused', async () => {
      const headers = { 'idempotency-key': 'open311-retry-0001' };
      const body = streetLight({ description: '重试不重复' });
      const first = await post(body, 'json', headers);
      const again = await post(body, 'json', headers);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(JSON.parse(again.text)).toEqual(JSON.parse(first.text));
      expect(
        await system.server.prisma.ticket.count({ where: { description: '重试不重复' } }),
      ).toBe(1);
      const other = await post(streetLight({ description: '另一件事' }), 'json', headers);
      expectError(other, 400, 'json');
      expectError(await post(body, 'json', { 'idempotency-key': 'short' }), 400, 'json');
    });

    const refusals: Array<[string, () => string, number, RegExp]> = [
      ['no api_key', () => streetLight({ api_key: '' }), 403, /api_key is required/],
      [
        'an unknown api_key',
        () => streetLight({ api_key: `o311_${'x'.repeat(43)}` }),
        403,
        /not valid/,
      ],
      ['a malformed api_key', () => streetLight({ api_key: 'hunter2' }), 403, /not valid/],
      ['a revoked api_key', () => streetLight({ api_key: revokedKey }), 403, /revoked/],
      ['no service_code', () => streetLight({ service_code: '' }), 400, /service_code is required/],
      [
        'an unknown service_code',
        () => streetLight({ service_code: 'NOPE' }),
        400,
        /NOPE names no service/,
      ],
      ['a latitude in words', () => streetLight({ lat: 'abc' }), 400, /lat must be/],
      ['a latitude beyond 90', () => streetLight({ lat: 91 }), 400, /lat must be/],
      ['a longitude beyond 180', () => streetLight({ long: -180.5 }), 400, /long must be/],
      ['NaN', () => streetLight({ lat: 'NaN' }), 400, /lat must be/],
      ['Infinity', () => streetLight({ long: 'Infinity' }), 400, /long must be/],
      ['no longitude', () => streetLight({ long: '' }), 400, /lat and long are required/],
      [
        'an address without coordinates',
        () => streetLight({ lat: '', long: '', address_string: '和平街道 1 号' }),
        400,
        /cannot locate an address_string/,
      ],
      [
        'two different latitudes',
        () => streetLight({}, `lat=${where.lat + 1}`),
        400,
        /more than once/,
      ],
      [
        'a missing required attribute',
        () =>
          form({ api_key: apiKey, service_code: 'STREET_LIGHT', lat: where.lat, long: where.lng }),
        400,
        /attribute\[FAULT\] is required/,
      ],
      [
        'a key not in a single value list',
        () =>
          `${form({ api_key: apiKey, service_code: 'STREET_LIGHT', lat: where.lat, long: where.lng })}&attribute[FAULT]=BROKEN`,
        400,
        /BROKEN not among OUT, FLICKERING, DAY_BURNING, DAMAGED/,
      ],
      [
        'two values for a single value list',
        () => streetLight({}, 'attribute[FAULT]=FLICKERING'),
        400,
        /takes one value/,
      ],
      [
        'a number attribute in words',
        () =>
          `${form({ api_key: apiKey, service_code: 'ROAD_DAMAGE', lat: where.lat, long: where.lng })}&attribute[BLOCKS_TRAFFIC]=NO&attribute[AREA_M2]=big`,
        400,
        /AREA_M2\] must be a number/,
      ],
      [
        'a description over 2000 characters',
        () => streetLight({ description: 'x'.repeat(2001) }),
        400,
        /description/,
      ],
      [
        'a media_url that is no URL',
        () => streetLight({ media_url: 'javascript:alert(1)' }),
        400,
        /media_url/,
      ],
      ['a phone that is no phone', () => streetLight({ phone: 'call me' }), 400, /phone/],
      [
        'an unknown jurisdiction_id',
        () => streetLight({ jurisdiction_id: 'beijing' }),
        404,
        /jurisdiction_id/,
      ],
      ['a NUL character', () => streetLight({ description: 'a\u0000b' }), 400, /NUL/],
    ];

    it.each(refusals)(
      'refuses %s in both formats and writes nothing',
      async (_what, body, status, message) => {
        const before = await snapshot();
        for (const format of FORMATS) {
          const description = expectError(await post(body(), format), status, format);
          expect(description).toMatch(message);
        }
        expect(await snapshot()).toEqual(before);
      },
    );

    it('refuses bodies it cannot read in the Open311 shape', async () => {
      const before = await snapshot();
      for (const format of FORMATS) {
        expectError(
          await call(`requests.${format}`, { contentType: 'application/json', body: '{"lat":' }),
          400,
          format,
        );
        expectError(
          await call(`requests.${format}`, { contentType: 'application/json', body: '[1,2]' }),
          400,
          format,
        );
        expectError(
          await call(`requests.${format}`, {
            contentType: 'application/json',
            body: JSON.stringify({ api_key: apiKey, description: '\ud800' }),
          }),
          400,
          format,
        );
        expectError(
          await call(`requests.${format}`, {
            contentType: 'multipart/form-data; boundary=x',
            body: '--x\r\nContent-Disposition: form-data; name="lat"\r\n\r\n1\r\n--x--\r\n',
          }),
          400,
          format,
        );
        expectError(
          await call(`requests.${format}`, { body: `description=${'x'.repeat(110_000)}` }),
          400,
          format,
        );
      }
      expect(await snapshot()).toEqual(before);
    });

    it('never answers hostile form bodies with a 5xx, and writes only what it files', async () => {
      const keys = [
        'api_key',
        'service_code',
        'lat',
        'long',
        'description',
        'attribute[FAULT]',
        'attribute[FAULT][]',
        'attribute%5BFAULT%5D',
        'jurisdiction_id',
        'media_url',
        'phone',
        'first_name',
        '__proto__',
      ];
      const pair = fc
        .tuple(
          fc.constantFrom(...keys),
          hostileString.map((text) => text.slice(0, 200)),
          fc.boolean(),
        )
        .map(([key, value, encode]) => `${key}=${encode ? encodeComponent(value) : value}`);
      const body = fc.oneof(
        fc.array(pair, { maxLength: 6 }).map((pairs) => [streetLight(), ...pairs].join('&')),
        fc.array(pair, { maxLength: 8 }).map((pairs) => pairs.join('&')),
      );
      await fc.assert(
        fc.asyncProperty(
          body.map(shown),
          fc.constantFrom(...FORMATS),
          async ({ value }, format) => {
            const before = await system.server.prisma.ticket.count();
            const answer = await post(value, format);
            expect(answer.status).toBeLessThan(500);
            if (answer.status === 201) {
              expect(await system.server.prisma.ticket.count()).toBe(before + 1);
            } else {
              expectError(answer, answer.status, format);
              expect(await system.server.prisma.ticket.count()).toBe(before);
            }
          },
        ),
        { numRuns: 120, interruptAfterTimeLimit: 40_000 },
      );
    });
  });

  describe('GET requests', () => {
    let open: string;
    let other: string;
    let sensitive: string;
    let staffTicket: TicketSummary;

    beforeAll(async () => {
      open = await file(
        streetLight({ description: '查询用的路灯', address_string: '和平路 3 号' }),
      );
      await file(streetLight({ description: '请回电 13700001111' }));
      other = await file(
        `${form({ api_key: apiKey, service_code: 'NOISE', lat: where.lat, long: where.lng, description: '夜间施工' })}&attribute[NOISE_SOURCE]=CONSTRUCTION`,
      );
      sensitive = await file(
        form({
          api_key: apiKey,
          service_code: 'NEIGHBOUR_DISPUTE',
          lat: where.lat + 0.00012345,
          long: where.lng + 0.00012345,
          address_string: '某小区 5 栋 302',
          description: '邻里纠纷',
        }),
      );
      const web = await member.post<{ ticket: TicketSummary }>('/api/tickets', {
        categoryCode: 'GARBAGE',
        description: '楼下垃圾',
        location: where,
        reporter: { name: '李先生', phone: '13912345678' },
      });
      staffTicket = web.body.ticket;
    });

    it('lists the last 90 days newest first, by the published rules, without reporters', async () => {
      const requests = (await both('requests.{fmt}')) as Array<Record<string, unknown>>;
      expect(listProblems(requests, OPEN311_SCHEMAS.request)).toEqual([]);
      const ids = requests.map((request) => request.service_request_id);
      expect(ids).toEqual(expect.arrayContaining([open, other, sensitive, staffTicket.code]));
      const times = requests.map((request) => Date.parse(request.requested_datetime as string));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      for (const request of requests) {
        expect(request.requested_datetime).toMatch(/\+08:00$/);
      }
      const text = JSON.stringify(requests);
      for (const secret of [
        '13912345678',
        '李先生',
        '王芳',
        '1380013',
        'wang@example.org',
        '13700001111',
      ]) {
        expect(text).not.toContain(secret);
      }
      const mine = requests.find((request) => request.service_request_id === open)!;
      expect(mine).toMatchObject({
        status: 'open',
        status_notes: '已受理',
        service_name: '路灯故障',
        service_code: 'STREET_LIGHT',
        description: '查询用的路灯',
        agency_responsible: '城市管理局 City Management',
        address: '和平路 3 号',
        lat: where.lat,
        long: where.lng,
        address_id: null,
        zipcode: null,
        media_url: null,
      });
    });

    it('blurs sensitive categories to about 100 m and leaves their address out', async () => {
      const [request] = (await both(`requests/${sensitive}.{fmt}`)) as Array<
        Record<string, unknown>
      >;
      expect(request).toMatchObject({
        address: null,
        lat: Math.round((where.lat + 0.00012345) * 1000) / 1000,
        long: Math.round((where.lng + 0.00012345) * 1000) / 1000,
      });
    });

    it('filters by service_code, status and dates', async () => {
      const noise = (await both('requests.{fmt}?service_code=NOISE,GREENERY')) as Array<
        Record<string, unknown>
      >;
      expect(noise.map((request) => request.service_request_id)).toContain(other);
      expect(new Set(noise.map((request) => request.service_code))).toEqual(
        new Set(['NOISE', 'GREENERY']),
      );
      const closed = (await both('requests.{fmt}?status=closed')) as Array<Record<string, unknown>>;
      expect(closed.every((request) => request.status === 'closed')).toBe(true);
      expect(closed.map((request) => request.service_request_id)).not.toContain(open);
      const both_ = (await both(
        'requests.{fmt}?status=open,closed&service_code=STREET_LIGHT',
      )) as Array<Record<string, unknown>>;
      expect(both_.map((request) => request.service_request_id)).toContain(open);
      const future = encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString());
      expect(await both(`requests.{fmt}?start_date=${future}`)).toEqual([]);
      const past = encodeURIComponent('2020-01-01T00:00:00+08:00');
      expect(await both(`requests.{fmt}?end_date=${past}`)).toEqual([]);
      const today = (await both(
        `requests.{fmt}?start_date=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}&end_date=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      )) as Array<Record<string, unknown>>;
      expect(today.map((request) => request.service_request_id)).toContain(open);
    });

    it('takes service_request_id lists and then ignores the other filters', async () => {
      const requests = (await both(
        `requests.{fmt}?service_request_id=${open},${other.toLowerCase()}&service_request_id=GL-000000-NOPE00&status=closed&service_code=GARBAGE&start_date=2020-01-01T00:00:00Z&end_date=2020-01-02T00:00:00Z`,
      )) as Array<Record<string, unknown>>;
      expect(requests.map((request) => request.service_request_id).sort()).toEqual(
        [open, other].sort(),
      );
    });

    it('answers one request as a list of one, and 404 for one it does not know', async () => {
      const one = (await both(`requests/${open}.{fmt}`)) as unknown[];
      expect(one).toHaveLength(1);
      expect(listProblems(one, OPEN311_SCHEMAS.request)).toEqual([]);
      for (const format of FORMATS) {
        expectError(await call(`requests/GL-000000-NOPE00.${format}`), 404, format);
        expectError(await call(`requests/${'x'.repeat(80)}.${format}`), 404, format);
      }
    });

    it('keeps call-button tickets (a care recipient at home) out', async () => {
      const code = await file(streetLight({ description: '一键呼叫的替身' }));
      await system.server.prisma.ticket.update({ where: { code }, data: { channel: 'DEVICE' } });
      for (const format of FORMATS) {
        expectError(await call(`requests/${code}.${format}`), 404, format);
        expectError(await call(`tokens/${code}.${format}`), 404, format);
      }
      const all = (await both('requests.{fmt}')) as Array<Record<string, unknown>>;
      expect(all.map((request) => request.service_request_id)).not.toContain(code);
    });

    it.each([
      [
        'more than 90 days',
        'start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z',
        /90 days/,
      ],
      [
        'an end before the start',
        'start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z',
        /before/,
      ],
      ['a start that is no date', 'start_date=yesterday', /start_date must be a W3C date-time/],
      ['an end that is no date', 'end_date=2026-02-30T00:00:00Z', /end_date must be/],
      ['an unknown status', 'status=pending', /status must be open, closed or both/],
      ['a malformed id', 'service_request_id=GL%2F..%2Fetc', /not a service_request_id/],
    ])('refuses %s with 400 in both formats', async (_what, query, message) => {
      for (const format of FORMATS) {
        for (const call_ of ['requests', 'servicerequestupdates']) {
          if (query.startsWith('status') && call_ === 'servicerequestupdates') continue;
          const description = expectError(await call(`${call_}.${format}?${query}`), 400, format);
          expect(description).toMatch(message);
        }
      }
    });

    it('never answers hostile query strings with a 5xx', async () => {
      const calls = [
        'requests',
        'servicerequestupdates',
        'services',
        'services/NOISE',
        'tokens/GL-1',
      ];
      const query = hostileQuery([
        'service_request_id',
        'service_code',
        'start_date',
        'end_date',
        'status',
        'jurisdiction_id',
        'locale',
      ]);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...calls),
          fc.constantFrom(...FORMATS),
          query.map(shown),
          async (path, format, { value }) => {
            const answer = await call(`${path}.${format}?${value}`);
            expect(answer.status).toBeLessThan(500);
            if (answer.status === 200) valueOf(answer, format);
            else expectError(answer, answer.status, format);
          },
        ),
        { numRuns: 150, interruptAfterTimeLimit: 40_000 },
      );
    });

    it('resolves a token: the service_request_id POST answered with', async () => {
      const tokens = await both(`tokens/${open}.{fmt}`);
      expect(listProblems(tokens, OPEN311_SCHEMAS.token)).toEqual([]);
      expect(tokens).toEqual([{ service_request_id: open, token: open }]);
      for (const format of FORMATS) {
        expectError(await call(`tokens/GL-000000-NOPE00.${format}`), 404, format);
      }
    });
  });

  describe('the round trip', () => {
    it('POST -> the grid member accepts and resolves -> GET shows the status, notes and updates', async () => {
      const code = await file(streetLight({ description: '往返测试' }));
      const prisma = system.server.prisma;
      const ticket = await prisma.ticket.findUniqueOrThrow({ where: { code } });

      const accepted = await member.post<{ ticket: TicketSummary }>(
        `/api/tickets/${ticket.id}/accept`,
      );
      expect(accepted.status).toBe(200);
      const [afterAccept] = (await both(`requests/${code}.{fmt}`)) as Array<
        Record<string, unknown>
      >;
      expect(afterAccept).toMatchObject({ status: 'open', status_notes: '已接单，正在安排处置' });
      const [english] = (await both(`requests/${code}.{fmt}?locale=en`)) as Array<
        Record<string, unknown>
      >;
      expect(english).toMatchObject({
        status_notes: 'Accepted; work is being arranged',
        service_name: 'Street light out',
      });

      const resolved = await member.post(`/api/tickets/${ticket.id}/resolve`, {
        note: '已更换灯泡，有问题请联系 13800138000',
      });
      expect(resolved.status).toBe(200);
      const [afterResolve] = (await both(`requests/${code}.{fmt}`)) as Array<
        Record<string, unknown>
      >;
      expect(afterResolve).toMatchObject({
        status: 'closed',
        status_notes: '已办结：已更换灯泡，有问题请联系 138****8000',
      });
      expect(JSON.stringify(afterResolve)).not.toContain(member.user.username);

      const updates = (await both(
        `servicerequestupdates.{fmt}?service_request_id=${code}`,
      )) as Array<Record<string, unknown>>;
      expect(listProblems(updates, OPEN311_SCHEMAS.update)).toEqual([]);
      expect(updates.map(({ status, description }) => [status, description])).toEqual([
        ['open', '已受理'],
        ['open', '已接单，正在安排处置'],
        ['closed', '已办结：已更换灯泡，有问题请联系 138****8000'],
      ]);
      const ids = updates.map((update) => Number(update.update_id));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);

      const window = (await both(
        `servicerequestupdates.{fmt}?start_date=${encodeURIComponent(new Date(Date.now() - 600_000).toISOString())}`,
      )) as Array<Record<string, unknown>>;
      expect(
        window
          .filter((update) => update.service_request_id === code)
          .map((update) => update.status),
      ).toEqual(['open', 'open', 'closed']);
      // Internal steps (the automatic assignment) are not updates.
      expect(window.some((update) => update.description === '')).toBe(false);
    });
  });

  describe('anything else', () => {
    it.each([
      'services',
      'services.html',
      'services.json.bak',
      'requests',
      'nothing.json',
      'services/STREET_LIGHT',
      'services/STREET_LIGHT.yaml',
      'requests/GL-1.txt',
      'tokens/x',
      'a/b/c.json',
    ])('answers GET %s with 404 in the JSON error shape', async (path) => {
      expectError(await call(path), 404, 'json');
    });

    it('answers other methods and paths under /open311 with 404 in the shape of their suffix', async () => {
      expectError(await call('requests.json', { method: 'PUT', body: 'x=1' }), 404, 'json');
      expectError(await call('services.xml', { method: 'POST', body: 'x=1' }), 404, 'xml');
      expectError(await call('requests.txt', { method: 'POST', body: 'x=1' }), 404, 'json');
      const v1 = await fetch(`${system.baseUrl}/open311/v1/services.xml`);
      expectError(
        {
          status: v1.status,
          contentType: v1.headers.get('content-type') ?? '',
          text: await v1.text(),
        },
        404,
        'xml',
      );
    });

    it('answers an unknown service or jurisdiction with 404 in both formats', async () => {
      for (const format of FORMATS) {
        expectError(await call(`services/NOPE.${format}`), 404, format);
        for (const path of ['services', 'requests', 'servicerequestupdates']) {
          expectError(await call(`${path}.${format}?jurisdiction_id=beijing`), 404, format);
        }
        expectError(await call(`services/NOISE.${format}?jurisdiction_id=x`), 404, format);
        expectError(await call(`requests/GL-1.${format}?jurisdiction_id=x`), 404, format);
      }
    });

    it('answers text the database cannot store in the query with 400 in the Open311 shape', async () => {
      for (const format of FORMATS) {
        expectError(await call(`requests.${format}?service_code=%00`), 400, format);
      }
    });
  });
});
