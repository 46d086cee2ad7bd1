import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TICKET_ACTIONS,
  actionBodySchemas,
  createTicketSchema,
  loginSchema,
  pushSubscriptionSchema,
  residentRegistrationSchema,
  roomNameSchema,
  summonSchema,
  ticketIdParamSchema,
  type TicketAction,
  type TicketSummary,
} from '@gridline/core';
import {
  DEMO_PASSWORD,
  openSocket,
  startSystem,
  type ClientSocket,
  type Session,
  type TestSystem,
} from './support/system.ts';
import {
  clientErrorProblem,
  encodeComponent,
  shown,
  errorShapeProblem,
  fieldPath,
  headerText,
  hostileQuery,
  hostileSegment,
  hostileString,
  hostileValue,
  isRecord,
  mutate,
  type HttpAnswer,
} from './support/hostile.ts';

/**
 * Thousands of malformed and hostile inputs against the running system: every
 * write route and socket handler, anonymous and signed in. Every answer must be
 * a 4xx in the error shape, never a 5xx, a hang or a stack trace, and nothing
 * may be written. FC_SEED fixes the seed; FC_RUNS scales the number of runs.
 */

const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const RUNS_SCALE = Number(process.env.FC_RUNS ?? '1');
const runs = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: Math.max(1, Math.round(numRuns * RUNS_SCALE)),
  ...(SEED === undefined ? {} : { seed: SEED }),
  // A failure against a live server can take long to shrink; report what was found by then.
  interruptAfterTimeLimit: 45_000,
});

type Who = 'anonymous' | 'garbage-cookie' | 'member' | 'community' | 'dispatcher' | 'volunteer';
const SIGNED_IN = ['member', 'community', 'dispatcher', 'volunteer'] as const;
const EVERYONE: readonly Who[] = ['anonymous', 'garbage-cookie', ...SIGNED_IN];
const STAFF_HEAVY: readonly Who[] = [
  ...EVERYONE,
  'member',
  'community',
  'dispatcher',
  'dispatcher',
];

interface Request {
  method: 'GET' | 'POST';
  path: string;
  who: Who;
  headers?: Record<string, string>;
  /** Raw body text; a JSON content type is added unless `headers` name one. */
  body?: string;
  garbageCookie?: string;
}

describe('hostile input', () => {
  let system: TestSystem;
  const sessions = {} as Record<(typeof SIGNED_IN)[number], Session>;
  let ticket: TicketSummary;
  let trackingToken: string;
  let maxTicketId: number;
  let usernames: Set<string>;
  let validReport: Record<string, unknown>;

  beforeAll(async () => {
    // No workers: nothing changes the database in the background, so every count must hold.
    system = await startSystem({ workers: false });
    for (const who of SIGNED_IN) sessions[who] = await system.login(who);
    const region = await sessions.member.get<{
      region: { centroid: { lat: number; lng: number } };
    }>(`/api/regions/${sessions.member.user.regionId}`);
    validReport = {
      categoryCode: 'NOISE',
      description: '楼下KTV深夜噪音扰民',
      location: region.body.region.centroid,
      address: '和平街道健身社区',
      priority: 'NORMAL',
      channel: 'WEB',
      reporter: { name: '王女士', phone: '138 0000 0000' },
    };
    const created = await sessions.community.post<{
      ticket: TicketSummary;
      trackingToken: string;
    }>('/api/tickets', validReport);
    expect(created.status).toBe(201);
    ticket = created.body.ticket;
    trackingToken = created.body.trackingToken;
    expect(ticket.assigneeId).toBe(sessions.member.user.id);
    const prisma = system.server.prisma;
    maxTicketId = (await prisma.ticket.aggregate({ _max: { id: true } }))._max.id ?? 0;
    usernames = new Set(
      (await prisma.user.findMany({ select: { username: true } })).map((u) =>
        u.username.toLowerCase(),
      ),
    );
  });
  afterAll(() => system?.close());

  /** What the requests could write: every count, and a fingerprint of every ticket row. */
  async function snapshot() {
    const prisma = system.server.prisma;
    const [
      tickets,
      events,
      created,
      keys,
      sessionCount,
      live,
      users,
      audit,
      rows,
      summons,
      photos,
      pushSubscriptions,
      preferences,
      followers,
    ] = await Promise.all([
      prisma.ticket.count(),
      prisma.ticketEvent.count(),
      prisma.ticketEvent.count({ where: { type: 'ticket.created' } }),
      prisma.idempotencyKey.count(),
      prisma.session.count(),
      prisma.session.count({ where: { revokedAt: null } }),
      prisma.user.count(),
      prisma.auditLog.count(),
      prisma.ticket.aggregate({ _sum: { version: true }, _max: { updatedAt: true, id: true } }),
      prisma.summons.count(),
      prisma.ticketPhoto.count(),
      prisma.pushSubscription.count(),
      prisma.notificationPreference.count(),
      prisma.ticketFollower.count(),
    ]);
    return {
      tickets,
      events,
      created,
      keys,
      sessions: sessionCount,
      live,
      users,
      audit,
      versions: rows._sum.version,
      updatedAt: rows._max.updatedAt?.toISOString() ?? null,
      maxId: rows._max.id,
      summons,
      photos,
      pushSubscriptions,
      preferences,
      followers,
    };
  }

  /** Requests sent and statuses seen per test, printed at the end. */
  const tallies = new Map<string, { sent: number; statuses: Map<number | string, number> }>();
  function tally(status: number | string) {
    const name = expect.getState().currentTestName ?? '?';
    const entry = tallies.get(name) ?? { sent: 0, statuses: new Map<number | string, number>() };
    entry.sent += 1;
    entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
    tallies.set(name, entry);
  }
  afterAll(() => {
    for (const [name, { sent, statuses }] of tallies) {
      const counts = [...statuses]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([s, n]) => `${s}×${n}`);
      console.log(`${name.replace(/^hostile input > /, '')}: ${sent} sent (${counts.join(' ')})`);
    }
  });

  async function send(request: Request): Promise<HttpAnswer> {
    const headers: Record<string, string> = {};
    if (request.who === 'garbage-cookie') headers.cookie = request.garbageCookie ?? 'gl_session=x';
    else if (request.who !== 'anonymous') headers.cookie = sessions[request.who].cookie;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, request.headers);
    let response: Response;
    try {
      response = await fetch(`${system.baseUrl}${request.path}`, {
        method: request.method,
        headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Error(`${request.method} ${request.path} as ${request.who}: ${String(error)}`, {
        cause: error,
      });
    }
    tally(response.status);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      text: await response.text(),
    };
  }

  /** Sends and fails (with the request and answer) unless the answer is a 4xx in the error shape. */
  async function expectClientError(request: Request, allowed?: readonly number[]) {
    const answer = await send(request);
    const problem = clientErrorProblem(answer, allowed);
    if (problem) throw new Error(describeFailure(problem, request, answer));
    return answer;
  }

  const who = (list: readonly Who[] = EVERYONE) =>
    fc.record({
      who: fc.constantFrom(...list),
      garbageCookie: fc.oneof(
        headerText(),
        headerText(100).map((value) => `gl_session=${value}`),
        fc.constantFrom(
          'gl_session=',
          'gl_session=%',
          'gl_session="',
          'gl_session=a; gl_session=b',
        ),
      ),
    });

  const json = (value: unknown): string | undefined => JSON.stringify(value);

  it('refuses arbitrary JSON at POST /api/tickets with a 4xx and writes nothing', async () => {
    const before = await snapshot();
    const anything = fc
      .anything({
        maxDepth: 3,
        withBoxedValues: true,
        withMap: true,
        withSet: true,
        withDate: true,
        withTypedArray: true,
        withSparseArray: true,
        withNullPrototype: true,
        withObjectString: true,
      })
      .map(json);
    const body = fc
      .oneof(fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map(json), anything)
      .filter((text) => !createTicketSchema.safeParse(parse(text)).success);
    await fc.assert(
      fc.asyncProperty(who(), body, async (as, text) => {
        await expectClientError({ method: 'POST', path: '/api/tickets', ...as, body: text });
      }),
      runs(400),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a valid report with one field made hostile, or an invalid Idempotency-Key', async () => {
    const before = await snapshot();
    const fields = [
      ['categoryCode'],
      ['description'],
      ['location'],
      ['location', 'lat'],
      ['location', 'lng'],
      ['address'],
      ['priority'],
      ['channel'],
      ['reporter'],
      ['reporter', 'name'],
      ['reporter', 'phone'],
    ] as const;
    const mutated = fc
      .tuple(fieldPath(fields), hostileValue, fc.boolean())
      .map(([path, value, remove]) => mutate(validReport, path, value, remove && path.length > 0))
      .filter((body) => !createTicketSchema.safeParse(body).success);
    const validKey = fc.stringMatching(/^[A-Za-z0-9_-]{8,100}$/);
    const invalidKey = headerText().filter((key) => !/^[A-Za-z0-9_-]{8,100}$/.test(key.trim()));
    await fc.assert(
      fc.asyncProperty(
        who(),
        fc.option(fc.oneof(validKey, invalidKey)),
        mutated,
        async (as, key, body) => {
          await expectClientError({
            method: 'POST',
            path: '/api/tickets',
            ...as,
            body: json(body),
            headers: key === null ? {} : { 'idempotency-key': key },
          });
        },
      ),
      runs(400),
    );
    // A valid body under an invalid key is refused before anything is written.
    await fc.assert(
      fc.asyncProperty(who(), invalidKey, async (as, key) => {
        const answer = await expectClientError(
          {
            method: 'POST',
            path: '/api/tickets',
            ...as,
            body: json(validReport),
            headers: { 'idempotency-key': key },
          },
          [400],
        );
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      }),
      runs(150),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses raw non-JSON bodies, wrong content types and encodings on every write route', async () => {
    const before = await snapshot();
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/json; charset=nope',
        'application/json; charset',
        'application/vnd.api+json',
        'application/problem+json',
        'text/plain',
        'text/html',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/octet-stream',
        'application/xml',
        '*/*',
        ';;;',
        'application/',
      ),
      headerText(60),
    );
    const encoding = fc.option(
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-unknown', 'gzip, gzip'),
      { freq: 3 },
    );
    const report = JSON.stringify(validReport);
    const text = fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.integer({ min: 1, max: report.length - 1 }).map((n) => report.slice(0, n)),
        fc.constantFrom(
          '',
          'null',
          '1',
          '-0',
          '"a string"',
          'true',
          '[]',
          '[[[[[[[[[[',
          '{',
          '}',
          '{"a":1,}',
          "{'a':1}",
          '{"a":NaN}',
          '{"a":Infinity}',
          '{"a":undefined}',
          '{"__proto__":{"polluted":true}}',
          '{"constructor":{"prototype":{"polluted":true}}}',
          '{"a":"\\ud800"}',
          '{"a":"\\u0000"}',
          '\ufeff{}',
          '\u0000',
          'categoryCode=NOISE&description=x',
          '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--',
          '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
          `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
          `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
          `{"description":"${'x'.repeat(150_000)}"}`,
        ),
      )
      .map(shown);
    const target = fc.oneof(
      fc.constant({ path: '/api/tickets', accepts: isValidReport }),
      fc.constant({ path: '/api/auth/login', accepts: isValidLogin }),
      fc.constant({ path: '/api/auth/logout', accepts: () => true }),
      fc.constantFrom(...TICKET_ACTIONS).map((action) => ({
        path: `/api/tickets/${ticket.id}/${action}`,
        accepts: (body: unknown) => actionBodySchemas[action].safeParse(body ?? {}).success,
      })),
    );
    await fc.assert(
      fc.asyncProperty(
        who(),
        target,
        contentType,
        encoding,
        text,
        async (as, { path, accepts }, type, contentEncoding, { value: body }) => {
          // Never send what the server could take as valid: a signed-in logout, a valid action.
          if (path === '/api/auth/logout' && SIGNED_IN.some((name) => name === as.who)) return;
          // What the server could read: JSON only under a JSON content type, else no body at all.
          const json = /^\s*application\/json\s*(;|$)/i.test(type);
          const plain = !contentEncoding || contentEncoding === 'identity';
          const readable = !json
            ? [undefined]
            : plain
              ? [parse(body), parse(body.replace(/^\ufeff/, ''))]
              : [];
          if (readable.some(accepts)) return;
          await expectClientError({
            method: 'POST',
            path,
            ...as,
            body,
            headers: {
              'content-type': type,
              ...(contentEncoding ? { 'content-encoding': contentEncoding } : {}),
            },
          });
        },
      ),
      // About a third of the runs are skipped above: 550 runs send about 400 requests.
      runs(550),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses every action on ids that are not tickets, and unknown actions', async () => {
    const before = await snapshot();
    const id = fc.oneof(
      { arbitrary: hostileSegment, weight: 4 },
      { arbitrary: fc.integer({ min: 1, max: 2_000_000 }).map((n) => String(n + 1e9)), weight: 1 },
      { arbitrary: fc.constant('2147483647'), weight: 1 },
    );
    const action = fc.oneof(
      { arbitrary: fc.constantFrom<string>(...TICKET_ACTIONS), weight: 4 },
      { arbitrary: hostileSegment, weight: 1 },
      { arbitrary: fc.constantFrom('ACCEPT', 'accept ', 'accept/', '__proto__', ''), weight: 1 },
    );
    const body = fc.option(hostileValue.map(json), { freq: 4, nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        who(),
        id,
        action,
        fc.boolean(),
        body,
        async (as, rawId, name, raw, text) => {
          // Raw segments go through fetch's URL normaliser (dot segments and all); encoded ones reach Express.
          const segment = raw && /^[\x21-\x7e]*$/.test(rawId) ? rawId : encodeComponent(rawId);
          const decoded = safeDecode(segment);
          const parsedId = ticketIdParamSchema.safeParse(decoded);
          // A real ticket's id is the subject of the next property.
          if (parsedId.success && parsedId.data <= maxTicketId) return;
          if (text !== undefined && isValidReport(parse(text))) return;
          await expectClientError({
            method: 'POST',
            path: `/api/tickets/${segment}/${encodeComponent(name)}`,
            ...as,
            body: text,
          });
        },
      ),
      runs(400),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses invalid bodies and stale versions for every action on a real ticket', async () => {
    const before = await snapshot();
    // Keyed by name, so that actions added or removed later still compile; unknown ones fall
    // back to `{}`, and every generated body is checked against the action's schema anyway.
    const knownBodies: Record<string, Record<string, unknown>> = {
      accept: {},
      start: {},
      pend: { reason: '等待配件' },
      resume: {},
      resolve: { note: '已处理' },
      verify: { note: '已核实' },
      close: { note: '办结' },
      reopen: { reason: '又出现了' },
      rate: { rating: 'GOOD', comment: '很好' },
      assign: { assigneeId: sessions.member.user.id, note: '请处理' },
      escalate: { reason: '人手不足' },
      transfer: { gridId: sessions.member.user.regionId, reason: '划错网格' },
      cancel: { reason: '重复上报' },
    };
    const validBodies = (action: TicketAction) =>
      Object.hasOwn(knownBodies, action) ? knownBodies[action]! : {};
    const invalidBody = fc
      .constantFrom(...TICKET_ACTIONS)
      .chain((action) =>
        fc.tuple(
          fc.constant(action),
          fc.oneof(
            {
              weight: 4,
              arbitrary: fc
                .tuple(
                  fieldPath([
                    ['version'],
                    ['reason'],
                    ['note'],
                    ['rating'],
                    ['comment'],
                    ['assigneeId'],
                    ['gridId'],
                  ]),
                  hostileValue,
                )
                .map(([path, value]) => json(mutate(validBodies(action), path, value))),
            },
            { weight: 2, arbitrary: hostileValue.map(json) },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
        ),
      )
      .filter(([action, text]) => !actionBodySchemas[action].safeParse(parse(text) ?? {}).success);
    // Valid bodies that the server must refuse anyway: the ticket is not at this version.
    const staleVersion = fc
      .tuple(
        fc.constantFrom(...TICKET_ACTIONS),
        fc.oneof(fc.integer({ min: 1, max: 2_147_483_647 }), fc.constant(2_147_483_647)),
      )
      .filter(([, version]) => version !== ticket.version)
      .map(
        ([action, version]) =>
          [action, json({ ...validBodies(action), version })] as [TicketAction, string],
      );
    await fc.assert(
      fc.asyncProperty(
        who(),
        fc.oneof({ arbitrary: invalidBody, weight: 3 }, { arbitrary: staleVersion, weight: 1 }),
        async (as, [action, text]) => {
          await expectClientError({
            method: 'POST',
            path: `/api/tickets/${ticket.id}/${action}`,
            ...as,
            body: text,
          });
        },
      ),
      runs(400),
    );
    expect(await snapshot()).toEqual(before);
    const now = await system.server.prisma.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
    expect(now.version).toBe(ticket.version);
    expect(now.status).toBe(ticket.status);
  });

  it('refuses invalid sign-ins with a 4xx (429 once rate-limited) and opens no session', async () => {
    const before = await snapshot();
    const nearValid = fc
      .tuple(
        fc.constantFrom('member', 'dispatcher', 'nobody', 'admin'),
        fieldPath([['username'], ['password']]),
        hostileValue,
      )
      .map(([username, path, value]) => mutate({ username, password: 'wrong' }, path, value));
    const body = fc
      .oneof(
        { arbitrary: nearValid.map(json), weight: 4 },
        { arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }).map(json), weight: 2 },
        {
          arbitrary: fc
            .record({ username: hostileString, password: hostileString }, { requiredKeys: [] })
            .map(json),
          weight: 2,
        },
        { arbitrary: fc.constant(undefined), weight: 1 },
      )
      .filter((text) => !isValidLogin(parse(text)));
    // The server trusts X-Forwarded-For from loopback: varying it gets past the per-address limit.
    const address = fc.option(fc.ipV4(), { freq: 2 });
    await fc.assert(
      fc.asyncProperty(who(), body, address, async (as, text, ip) => {
        await expectClientError({
          method: 'POST',
          path: '/api/auth/login',
          ...as,
          body: text,
          headers: ip === null ? {} : { 'x-forwarded-for': ip },
        });
      }),
      runs(300),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers arbitrary query strings on the read routes without a 5xx', async () => {
    const before = await snapshot();
    const endpoints = [
      [
        '/api/tickets',
        ['status', 'regionId', 'assigneeId', 'categoryCode', 'overdue', 'cursor', 'limit'],
      ],
      ['/api/events', ['after', 'limit']],
      ['/api/regions', ['level', 'parentId']],
      ['/api/tickets/duplicates', ['categoryCode', 'lat', 'lng']],
      ['/api/stats/rates', ['regionId', 'from', 'to']],
    ] as const;
    const request = fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .constantFrom(...endpoints)
          .chain(([path, keys]) => hostileQuery(keys).map((query) => `${path}?${query}`)),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('/api/tickets/', '/api/regions/'), hostileSegment)
          .map(([prefix, segment]) => `${prefix}${encodeComponent(segment)}`),
      },
    );
    await fc.assert(
      // Mostly staff: the read routes refuse everyone else before looking at the query.
      fc.asyncProperty(who(STAFF_HEAVY), request, async (as, path) => {
        const answer = await send({ method: 'GET', path, ...as });
        const problem =
          answer.status >= 500
            ? `status ${answer.status}`
            : answer.status >= 400
              ? errorShapeProblem(answer)
              : answer.status === 200 && isJson(answer)
                ? null
                : `status ${answer.status} ${answer.contentType}`;
        if (problem)
          throw new Error(describeFailure(problem, { method: 'GET', path, ...as }, answer));
      }),
      runs(600),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses hostile input on the device call, summons and photo routes', async () => {
    const before = await snapshot();
    const validSummon = { departments: ['城管执法'], reportMinutes: 60 };
    const summonBody = fc
      .oneof(
        {
          weight: 3,
          arbitrary: fc
            .tuple(fieldPath([['departments'], ['reportMinutes']]), hostileValue)
            .map(([path, value]) => json(mutate(validSummon, path, value))),
        },
        {
          weight: 1,
          arbitrary: fc
            .array(hostileString, { maxLength: 12 })
            .map((departments) => json({ departments })),
        },
        { weight: 1, arbitrary: hostileValue.map(json) },
      )
      .filter((text) => !summonSchema.safeParse(parse(text) ?? {}).success);
    type Sent = { path: string; body: string | undefined; headers: Record<string, string> };
    const request: fc.Arbitrary<Sent> = fc.oneof(
      // Device calls: any device id, any key (a key only verifies for its own device).
      fc
        .tuple(
          hostileSegment,
          fc.option(headerText(), { nil: undefined }),
          fc.option(hostileValue.map(json), { nil: undefined }),
        )
        .map(
          ([device, key, body]): Sent => ({
            path: `/api/devices/${encodeComponent(device)}/calls`,
            body,
            headers: key === undefined ? {} : { 'x-device-key': key },
          }),
        ),
      summonBody.map((body) => ({
        path: `/api/tickets/${ticket.id}/summon`,
        body,
        headers: {},
      })),
      // No summons exists yet: every report is refused.
      fc
        .tuple(
          fc.oneof(hostileSegment, fc.integer({ min: 1, max: 2_147_483_647 }).map(String)),
          fc.option(hostileValue.map(json), { nil: undefined }),
        )
        .map(([summons, body]) => ({
          path: `/api/tickets/${ticket.id}/summons/${encodeComponent(summons)}/report`,
          body,
          headers: {},
        })),
    );
    await fc.assert(
      fc.asyncProperty(who(), request, async (as, { path, body, headers }) => {
        await expectClientError({ method: 'POST', path, ...as, body, headers });
      }),
      runs(400),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers corrupt and non-image photo uploads without a 5xx (a 201 writes one photo)', async () => {
    const before = await snapshot();
    const bytes = (prefix: number[]) =>
      fc.uint8Array({ maxLength: 300 }).map((rest) => Uint8Array.from([...prefix, ...rest]));
    const ascii = (text: string) => [...Buffer.from(text, 'latin1')];
    const u32 = (value: number, littleEndian = false) => {
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, value, littleEndian);
      return [...new Uint8Array(view.buffer)];
    };
    const png = ascii('\x89PNG\r\n\x1a\n');
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      bytes([0xff, 0xd8, 0xff]),
      bytes(png),
      fc
        .uint8Array({ minLength: 4, maxLength: 4 })
        .chain((size) => bytes([...ascii('RIFF'), ...size, ...ascii('WEBP')])),
      // Chunk and segment lengths at the edges.
      fc
        .constantFrom(0, 1, 2, 0x7fffffff, 0xffffffff, 0xfffffff0)
        .map((length) => Uint8Array.from([...png, ...u32(length), ...ascii('IHDR'), 0, 0, 0, 0])),
      fc
        .constantFrom(0, 1, 0xffffffff, 0xfffffff7)
        .map((size) =>
          Uint8Array.from([
            ...ascii('RIFF'),
            0,
            0,
            0,
            0,
            ...ascii('WEBP'),
            ...ascii('VP8 '),
            ...u32(size, true),
          ]),
        ),
      fc
        .constantFrom(0, 1, 2, 0xffff)
        .map((length) =>
          Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, length >> 8, length & 0xff, 0xff, 0xda]),
        ),
      fc.constant(new Uint8Array()),
    );
    const contentType = fc.constantFrom(
      'image/jpeg',
      'image/png',
      'image/webp',
      'application/octet-stream',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
    );
    const id = fc.oneof(
      { arbitrary: fc.constant(String(ticket.id)), weight: 4 },
      { arbitrary: hostileSegment.map(encodeComponent), weight: 1 },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        who(),
        id,
        contentType,
        body.map(shown),
        async (as, ticketId, type, { value }) => {
          const request: Request = {
            method: 'POST',
            path: `/api/tickets/${ticketId}/photos`,
            ...as,
          };
          const headers: Record<string, string> = { 'content-type': type };
          if (as.who === 'garbage-cookie') headers.cookie = as.garbageCookie;
          else if (as.who !== 'anonymous') headers.cookie = sessions[as.who].cookie;
          const response = await fetch(`${system.baseUrl}${request.path}`, {
            method: 'POST',
            headers,
            body: value,
            signal: AbortSignal.timeout(10_000),
          });
          const answer: HttpAnswer = {
            status: response.status,
            contentType: response.headers.get('content-type') ?? '',
            text: await response.text(),
          };
          tally(answer.status);
          if (answer.status === 201) {
            accepted += 1;
            return;
          }
          const problem = clientErrorProblem(answer);
          if (problem)
            throw new Error(
              describeFailure(
                problem,
                {
                  ...request,
                  body: `<${value.length} bytes ${Buffer.from(value.subarray(0, 16)).toString('hex')}…> as ${type}`,
                },
                answer,
              ),
            );
        },
      ),
      runs(300),
    );
    // An accepted upload writes its photo and one event and bumps the ticket's version; nothing else.
    const after = await snapshot();
    expect({
      ...after,
      events: after.events - accepted,
      photos: after.photos - accepted,
    }).toMatchObject({
      ...before,
      versions: after.versions,
      updatedAt: after.updatedAt,
    });
  });

  it('answers hostile room.join / room.leave payloads with { ok: false } and keeps every socket up', async () => {
    const before = await snapshot();
    const sockets = {} as Record<'member' | 'community' | 'dispatcher', ClientSocket>;
    for (const name of ['member', 'community', 'dispatcher'] as const)
      sockets[name] = await sessions[name].socket();
    // A bystander who sends nothing: it must stay connected through the barrage.
    const bystander = await sessions.volunteer.socket();
    const disconnects: string[] = [];
    for (const [name, socket] of Object.entries({ ...sockets, bystander }))
      socket.on('disconnect', (reason) => disconnects.push(`${name}: ${reason}`));

    const payload = fc.oneof(
      { weight: 3, arbitrary: hostileValue },
      {
        weight: 2,
        arbitrary: fc.constantFrom<unknown>(
          'user:',
          'user:0',
          'user:-1',
          'user:01',
          'user:1.5',
          'user: 1',
          'USER:1',
          'user:12345678901',
          'region:99999999999',
          'ticket:99999999999',
          'ticket:2147483648',
          'ticket:9999999999',
          'region:9999999999',
          'user:1\n',
          'task:0',
          'session:abc',
          'region:1:2',
          'ticket:1; DROP TABLE tickets',
          ['user:1'],
          { room: 'user:1' },
          new Uint8Array([1, 2, 3]),
        ),
      },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 50 }) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.constantFrom('user', 'region', 'ticket', 'task', 'session'),
            fc.oneof(
              fc.integer({ min: 1, max: 2_147_483_647 }),
              fc.bigInt({ min: 1n, max: 9_999_999_999n }),
            ),
          )
          .map(([kind, id]) => `${kind}:${id}`),
      },
    );
    // Over maxHttpBufferSize (16 kB) the server drops the sender by design: tested on its own below.
    const smallPayload = payload.filter(
      (value) =>
        value instanceof Uint8Array || Buffer.byteLength(JSON.stringify(value) ?? '') < 12_000,
    );
    type Ack = 'function' | 'none' | 'number' | 'string' | 'object' | 'extra-args';
    const ack = fc.constantFrom<Ack>(
      'function',
      'function',
      'function',
      'function',
      'none',
      'number',
      'string',
      'object',
      'extra-args',
    );
    const event = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('room.join', 'room.leave') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'room.join ',
          'ROOM.JOIN',
          '__proto__',
          'constructor',
          'toString',
          'hasOwnProperty',
          'room',
          '',
        ),
      },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('member', 'community', 'dispatcher' as const),
        event,
        smallPayload.map(shown),
        ack,
        async (name, eventName, { value: room }, ackKind) => {
          const socket = sockets[name] as unknown as Socket;
          if (!socket.connected)
            throw new Error(`${name}'s socket was disconnected earlier: ${disconnects}`);
          const known = eventName === 'room.join' || eventName === 'room.leave';
          if (ackKind === 'function' && known) {
            const result: unknown = await socket.timeout(5000).emitWithAck(eventName, room);
            tally(`ack ${isRecord(result) ? String(result.ok) : 'odd'}`);
            const validName = roomNameSchema.safeParse(room).success;
            if (!isRecord(result) || typeof result.ok !== 'boolean')
              throw new Error(`${eventName}(${show(room)}) answered ${show(result)}`);
            if (!validName && result.ok !== false)
              throw new Error(`${eventName}(${show(room)}) answered ${show(result)}`);
            if (eventName === 'room.leave' && validName && result.ok !== true)
              throw new Error(`${eventName}(${show(room)}) answered ${show(result)}`);
          } else if (ackKind === 'none' || ackKind === 'function') {
            socket.emit(eventName, room);
            tally('no ack');
          } else {
            const junk = { number: 42, string: 'ack', object: { ok: true }, 'extra-args': null }[
              ackKind
            ];
            socket.emit(eventName, room, junk, 'more', { and: ['more'] });
            tally('junk ack');
          }
          // The socket still works after each input: it may join its own room.
          const own = await socket
            .timeout(5000)
            .emitWithAck('room.join', `user:${sessions[name].user.id}`);
          if (!isRecord(own) || own.ok !== true)
            throw new Error(
              `after ${eventName}(${show(room)}): own room join answered ${show(own)}`,
            );
        },
      ),
      runs(500),
    );
    // An oversized message drops only its sender's connection.
    const doomed = (await sessions.member.socket()) as unknown as Socket;
    const gone = new Promise<string>((resolve) => doomed.on('disconnect', resolve));
    doomed.emit('room.join', 'x'.repeat(20_000), () => {});
    expect(await gone).toEqual(expect.any(String));
    for (const socket of [...Object.values(sockets), bystander]) {
      expect(socket.connected).toBe(true);
    }
    expect(disconnects).toEqual([]);
    expect(
      await bystander.timeout(5000).emitWithAck('room.join', `user:${sessions.volunteer.user.id}`),
    ).toEqual({
      ok: true,
    });
    // Someone else's user room stays closed.
    expect(
      await sockets.member
        .timeout(5000)
        .emitWithAck('room.join', `user:${sessions.dispatcher.user.id}`),
    ).toMatchObject({
      ok: false,
    });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses socket handshakes with garbage cookies and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(who(['garbage-cookie']), async ({ garbageCookie }) => {
        await expect(openSocket(system.baseUrl, { cookie: garbageCookie })).rejects.toThrow(
          /unauthorized/,
        );
      }),
      runs(60),
    );
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  });

  it('refuses hostile tracking links, bodies and socket tokens with a 4xx and writes nothing', async () => {
    const before = await snapshot();
    // The ticket awaits acceptance: a link may neither rate nor reopen it yet.
    const code = fc.oneof(
      { weight: 2, arbitrary: fc.constant(ticket.code) },
      { weight: 1, arbitrary: fc.constant(ticket.code.toLowerCase()) },
      { weight: 2, arbitrary: hostileSegment },
    );
    const token = fc.oneof(
      { weight: 2, arbitrary: fc.constant(trackingToken) },
      { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{32}$/) },
      // Node answers a URL past 16 KB itself (431, no body): keep the token to a link's size.
      { weight: 2, arbitrary: hostileString.map((text) => text.slice(0, 500)) },
    );
    const route = fc.constantFrom('rate', 'reopen', 'photos', 'close', 'accept', '');
    const body = fc.option(hostileValue.map(json), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        who(),
        code,
        token,
        route,
        body,
        fc.boolean(),
        async (as, linkCode, linkToken, action, sent, get) => {
          const path =
            `/api/track/${encodeComponent(linkCode)}` +
            (action ? `/${action}` : '') +
            `?token=${encodeComponent(linkToken)}`;
          const method = get || action === '' ? 'GET' : 'POST';
          const answer = await send({
            method,
            path,
            ...as,
            body: method === 'POST' ? sent : undefined,
            headers: {},
          });
          // Reading the ticket's own link is the one success; everything else is refused.
          if (answer.status === 200 && method === 'GET' && action === '') return;
          const problem = clientErrorProblem(answer);
          if (problem)
            throw new Error(
              describeFailure(problem, { method, path, ...as, body: sent, headers: {} }, answer),
            );
        },
      ),
      runs(300),
    );
    await fc.assert(
      fc.asyncProperty(token, async (handshakeToken) => {
        if (handshakeToken === trackingToken) return;
        await expect(openSocket(system.baseUrl, { trackingToken: handshakeToken })).rejects.toThrow(
          /unauthorized/,
        );
      }),
      runs(60),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses hostile sign-ups, push subscriptions, preferences and follows with a 4xx and writes nothing', async () => {
    const before = await snapshot();
    const validRegistration = { phone: '13800001234', password: 'secret123', displayName: '居民' };
    const validSubscription = {
      endpoint: 'https://push.example/abc',
      keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) },
    };
    type Sent = { method: 'POST' | 'PUT' | 'DELETE'; path: string; body: string | undefined };
    const request: fc.Arbitrary<Sent> = fc.oneof(
      fc
        .tuple(fieldPath([['phone'], ['password'], ['displayName']]), hostileValue)
        .map(([path, value]) => mutate(validRegistration, path, value))
        .filter((body) => !residentRegistrationSchema.safeParse(body).success)
        .map((body) => ({
          method: 'POST' as const,
          path: '/api/residents/register',
          body: json(body),
        })),
      fc
        .tuple(
          fieldPath([['endpoint'], ['keys'], ['keys', 'p256dh'], ['keys', 'auth']]),
          hostileValue,
        )
        .map(([path, value]) => mutate(validSubscription, path, value))
        .filter((body) => !pushSubscriptionSchema.safeParse(body).success)
        .map((body) => ({
          method: 'POST' as const,
          path: '/api/push/subscriptions',
          body: json(body),
        })),
      hostileValue.map((value) => ({
        method: 'PUT' as const,
        path: '/api/me/notifications',
        body: json(value),
      })),
      hostileValue.map((value) => ({
        method: 'DELETE' as const,
        path: '/api/push/subscriptions',
        body: json(value),
      })),
      // A segment that reads as a ticket id ('1', '01', '1.0') is no hostile input: that
      // ticket may exist (other files file tickets in the same database) and be followed.
      hostileSegment
        .filter((segment) => !ticketIdParamSchema.safeParse(segment).success)
        .map((segment) => ({
          method: 'POST' as const,
          path: `/api/tickets/${encodeComponent(segment)}/follow`,
          body: undefined,
        })),
    );
    await fc.assert(
      fc.asyncProperty(who(), request, async (as, sent) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (as.who === 'garbage-cookie') headers.cookie = as.garbageCookie;
        else if (as.who !== 'anonymous') headers.cookie = sessions[as.who].cookie;
        const response = await fetch(`${system.baseUrl}${sent.path}`, {
          method: sent.method,
          headers,
          body: sent.body,
        });
        tally(response.status);
        const answer: HttpAnswer = {
          status: response.status,
          contentType: response.headers.get('content-type') ?? '',
          text: await response.text(),
        };
        // Deleting a subscription nobody has, or valid empty preferences, is no error.
        if (answer.status === 200 && (sent.method === 'DELETE' || sent.method === 'PUT')) return;
        const problem = clientErrorProblem(answer);
        if (problem) {
          throw new Error(
            `${problem}: ${sent.method} ${sent.path} ${sent.body ?? ''} -> ${answer.status} ${answer.text.slice(0, 200)}`,
          );
        }
      }),
      runs(300),
    );
    const after = await snapshot();
    // Valid preferences sent above (e.g. {}) store a row; nothing else may change.
    expect({ ...after, preferences: 0 }).toEqual({ ...before, preferences: 0 });
  });

  it('stores schema-valid hostile text verbatim (or refuses it with a 4xx), never a 5xx', async () => {
    const text = (max: number) =>
      hostileString.map((value) => value.slice(0, max)).filter((value) => value.trim().length > 0);
    const fields = fc.record({
      description: text(2000),
      address: fc.option(text(300), { nil: undefined }),
      name: fc.option(text(100), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fields, async ({ description, address, name }) => {
        const body = {
          ...validReport,
          description,
          ...(address === undefined ? { address: undefined } : { address }),
          reporter: name === undefined ? undefined : { name },
        };
        if (!createTicketSchema.safeParse(body).success) return;
        const before = await system.server.prisma.ticket.count();
        const request: Request = {
          method: 'POST',
          path: '/api/tickets',
          who: 'anonymous',
          body: json(body),
        };
        const answer = await send(request);
        if (answer.status === 201) {
          const created = JSON.parse(answer.text) as { ticket: TicketSummary };
          const detail = await sessions.community.get<{
            ticket: {
              description: string;
              address: string | null;
              reporter: { name: string | null };
            };
          }>(`/api/tickets/${created.ticket.id}`);
          expect(detail.status).toBe(200);
          expect(detail.body.ticket.description).toBe(stored(description));
          expect(detail.body.ticket.address).toBe(address === undefined ? null : stored(address));
          expect(detail.body.ticket.reporter.name).toBe(name === undefined ? null : stored(name));
          expect(await system.server.prisma.ticket.count()).toBe(before + 1);
          return;
        }
        const problem = clientErrorProblem(answer);
        if (problem) throw new Error(describeFailure(problem, request, answer));
        expect(await system.server.prisma.ticket.count()).toBe(before);
      }),
      runs(80),
    );
  });

  it('takes schema-valid hostile text in action bodies without a 5xx', async () => {
    const created = await sessions.community.post<{ ticket: TicketSummary }>(
      '/api/tickets',
      validReport,
    );
    const id = created.body.ticket.id;
    expect((await sessions.member.post(`/api/tickets/${id}/accept`, {})).status).toBe(200);
    const reason = hostileString
      .map((value) => value.slice(0, 2000))
      .filter((value) => value.trim().length > 0);
    await fc.assert(
      fc.asyncProperty(reason, async (text) => {
        const before = await snapshot();
        const request: Request = {
          method: 'POST',
          path: `/api/tickets/${id}/pend`,
          who: 'member',
          body: json({ reason: text }),
        };
        const answer = await send(request);
        if (answer.status !== 200) {
          const problem = clientErrorProblem(answer);
          if (problem) throw new Error(describeFailure(problem, request, answer));
          expect(await snapshot()).toEqual(before);
          return;
        }
        const event = await system.server.prisma.ticketEvent.findFirstOrThrow({
          where: { ticketId: id },
          orderBy: { id: 'desc' },
        });
        expect(event.payload).toMatchObject({ reason: stored(text) });
        expect((await sessions.member.post(`/api/tickets/${id}/resume`, {})).status).toBe(200);
      }),
      runs(40),
    );
  });

  // Inputs the properties above found to answer 500. Each must be refused (or read) without a 5xx
  // and must write nothing.
  describe('found by the properties', () => {
    /**
     * Sends each request in turn. Problems: an answer that is not a 4xx in the error shape
     * (unless `accepted` allows its 2xx), and any write that comes with a refusal.
     */
    async function refusals(
      requests: Request[],
      accepted: (request: Request, answer: HttpAnswer) => Promise<boolean> = async () => false,
    ): Promise<string[]> {
      const problems: string[] = [];
      for (const request of requests) {
        const before = await snapshot();
        const answer = await send(request);
        if (answer.status < 300 && (await accepted(request, answer))) continue;
        const problem = clientErrorProblem(answer);
        if (problem) problems.push(describeFailure(problem, request, answer));
        const after = await snapshot();
        const changed = Object.keys(before).filter(
          (key) =>
            JSON.stringify(before[key as keyof typeof before]) !==
            JSON.stringify(after[key as keyof typeof after]),
        );
        if (changed.length > 0)
          problems.push(
            `${request.method} ${show(request.path)} -> ${answer.status} wrote: ${changed}`,
          );
      }
      return problems;
    }

    it('refuses JSON declared in another charset than UTF-8 with 415, never reading it as an empty body', async () => {
      const problems = await refusals(
        ['utf-16', 'UTF-16LE', 'utf-32', '"utf-16"'].map((charset) => ({
          method: 'POST',
          path: `/api/tickets/${ticket.id}/accept`,
          who: 'member',
          body: '1',
          headers: { 'content-type': `application/json; charset=${charset}` },
        })),
      );
      expect(problems).toEqual([]);
      const answer = await send({
        method: 'POST',
        path: `/api/tickets/${ticket.id}/accept`,
        who: 'member',
        body: '{}',
        headers: { 'content-type': 'application/json; charset=utf-16' },
      });
      expect(answer.status).toBe(415);
    });

    it('refuses a NUL character in the sign-in username with a 4xx', async () => {
      const problems = await refusals(
        ['a\u0000b', '\u0000', 'member\u0000'].map((username) => ({
          method: 'POST',
          path: '/api/auth/login',
          who: 'anonymous',
          body: json({ username, password: 'wrong password' }),
          headers: { 'x-forwarded-for': '198.51.100.7' },
        })),
      );
      expect(problems).toEqual([]);
    });

    it("refuses a NUL character in a report's text fields with a 4xx and writes nothing", async () => {
      const problems = await refusals(
        [
          { ...validReport, description: 'KTV\u0000噪音' },
          { ...validReport, address: '\u0000' },
          { ...validReport, reporter: { name: '王\u0000' } },
        ].map((body) => ({
          method: 'POST',
          path: '/api/tickets',
          who: 'anonymous',
          body: json(body),
        })),
      );
      expect(problems).toEqual([]);
    });

    it("refuses a NUL character or a lone surrogate in an action's text with a 4xx (or stores it readably)", async () => {
      const created = await sessions.community.post<{ ticket: TicketSummary }>(
        '/api/tickets',
        validReport,
      );
      const id = created.body.ticket.id;
      expect((await sessions.member.post(`/api/tickets/${id}/accept`, {})).status).toBe(200);
      const problems = await refusals(
        ['\u0000', 'a\u0000b', '\ud800', 'a\udfffb'].map((reason) => ({
          method: 'POST',
          path: `/api/tickets/${id}/pend`,
          who: 'member',
          body: json({ reason }),
        })),
        // Lone surrogates may be taken: then they read back as U+FFFD and the ticket goes on.
        async (request) => {
          const { reason } = JSON.parse(request.body!) as { reason: string };
          if (reason.includes('\u0000')) return false;
          const event = await system.server.prisma.ticketEvent.findFirstOrThrow({
            where: { ticketId: id },
            orderBy: { id: 'desc' },
          });
          expect(event.payload).toMatchObject({ reason: stored(reason) });
          expect((await sessions.member.post(`/api/tickets/${id}/resume`, {})).status).toBe(200);
          return true;
        },
      );
      expect(problems).toEqual([]);
    });

    it('refuses a NUL character or a lone surrogate in summons departments and reports with a 4xx (or stores it readably)', async () => {
      const created = await sessions.community.post<{ ticket: TicketSummary }>(
        '/api/tickets',
        validReport,
      );
      const id = created.body.ticket.id;
      const summoned = await sessions.dispatcher.post<{ summons: Array<{ id: number }> }>(
        `/api/tickets/${id}/summon`,
        { departments: ['城管执法'] },
      );
      expect(summoned.status).toBe(201);
      const summonsId = summoned.body.summons[0]!.id;
      const problems = await refusals(
        [
          ...['\u0000', '城管\u0000', '\ud800'].map(
            (department): Request => ({
              method: 'POST',
              path: `/api/tickets/${id}/summon`,
              who: 'dispatcher',
              body: json({ departments: [department] }),
            }),
          ),
          ...['\u0000', '\udfff'].map(
            (note): Request => ({
              method: 'POST',
              path: `/api/tickets/${id}/summons/${summonsId}/report`,
              who: 'dispatcher',
              body: json({ note }),
            }),
          ),
        ],
        async (request) => !request.body!.includes('\\u0000'),
      );
      expect(problems).toEqual([]);
    });

    it('answers GET /api/tickets with a NUL categoryCode or a cursor id past 2^31-1 without a 5xx', async () => {
      const problems: string[] = [];
      for (const query of [
        'categoryCode=%00',
        'categoryCode=NO%00ISE',
        'cursor=0_2147483648',
        'cursor=1_9999999999',
      ]) {
        const request: Request = {
          method: 'GET',
          path: `/api/tickets?${query}`,
          who: 'dispatcher',
        };
        const answer = await send(request);
        const problem =
          answer.status === 200 ? (isJson(answer) ? null : 'not JSON') : clientErrorProblem(answer);
        if (problem) problems.push(describeFailure(problem, request, answer));
      }
      expect(problems).toEqual([]);
    });
  });

  it('still answers /healthz and /readyz after everything, with no prototype polluted', async () => {
    // The server runs in this process: a `__proto__` key merged anywhere would show here.
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${system.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  function isValidReport(body: unknown): boolean {
    return createTicketSchema.safeParse(body).success;
  }

  /** Valid credentials would open a session: never sent. */
  function isValidLogin(body: unknown): boolean {
    const parsed = loginSchema.safeParse(body);
    return (
      parsed.success &&
      parsed.data.password === DEMO_PASSWORD &&
      usernames.has(parsed.data.username.toLowerCase())
    );
  }
});

/** What a text field reads back as: trimmed, lone surrogates as U+FFFD (UTF-8 cannot hold them). */
function stored(text: string): string {
  return Buffer.from(text.trim(), 'utf8').toString('utf8');
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isJson(answer: HttpAnswer): boolean {
  return /^application\/json\b/.test(answer.contentType) && parse(answer.text) !== undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function show(value: unknown): string {
  const text = (() => {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  })();
  return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
}

function describeFailure(problem: string, request: Request, answer: HttpAnswer): string {
  return [
    `${problem}: ${request.method} ${show(request.path)} as ${request.who}`,
    request.who === 'garbage-cookie' ? `cookie ${show(request.garbageCookie)}` : '',
    request.headers ? `headers ${show(request.headers)}` : '',
    request.body === undefined ? 'no body' : `body ${show(request.body)}`,
    `-> ${answer.status} ${answer.contentType} ${show(answer.text)}`,
  ]
    .filter(Boolean)
    .join('\n');
}
