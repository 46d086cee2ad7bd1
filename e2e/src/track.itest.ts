import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary, TrackedEventPayload, TrackView } from '@gridline/core';
import { photoWithGps } from './support/images.ts';
import {
  openSocket,
  startSystem,
  waitFor,
  type ClientSocket,
  type Session,
  type TestSystem,
} from './support/system.ts';

interface Filed {
  ticket: TicketSummary;
  trackingToken: string;
}

describe('a resident tracks a ticket through its private link', () => {
  let system: TestSystem;
  let member: Session;
  let community: Session;
  let where: { lat: number; lng: number };
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    system = await startSystem();
    [member, community] = await Promise.all([system.login('member'), system.login('community')]);
    await member.post('/api/members/me/duty', { onDuty: true });
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    where = grid.body.region.centroid;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await system?.close();
  });

  const call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const report = async (description = '楼下广场舞音响太吵', categoryCode = 'NOISE') => {
    const filed = await call<Filed>('POST', '/api/tickets', {
      categoryCode,
      description,
      location: where,
      reporter: { name: '李先生', phone: '13811112222' },
    });
    expect(filed.status).toBe(201);
    return filed.body;
  };
  const track = (filed: Filed, token = filed.trackingToken) =>
    call<TrackView & { error?: { code: string } }>(
      'GET',
      `/api/track/${filed.ticket.code}?token=${encodeURIComponent(token)}`,
    );
  const act = (as: Session, ticket: { id: number }, action: string, body: unknown = {}) =>
    as.post<{ ticket: TicketSummary }>(`/api/tickets/${ticket.id}/${action}`, body);
  const trackerSocket = async (token: string) => {
    const socket = await openSocket(system.baseUrl, { trackingToken: token }, sockets);
    const heard: TrackedEventPayload[] = [];
    socket.on('ticket.tracked', (payload) => heard.push(payload));
    return { socket, heard };
  };

  it('shows the status and public timeline, with no staff names, ids or phones', async () => {
    const filed = await report();
    const view = await track(filed);
    expect(view.status).toBe(200);
    expect(view.body.ticket).toMatchObject({
      code: filed.ticket.code,
      status: 'ASSIGNED',
      categoryCode: 'NOISE',
      description: '楼下广场舞音响太吵',
    });
    expect(view.body.ticket.categoryNames.zh.length).toBeGreaterThan(0);
    expect(view.body.timeline.map((entry) => entry.step)).toEqual(['created', 'assigned']);
    expect(view.body.options).toMatchObject({ canRate: false, canReopen: false });
    const text = JSON.stringify(view.body);
    const staff = await system.server.prisma.user.findUniqueOrThrow({
      where: { id: member.user.id },
    });
    expect(text).not.toContain(staff.displayName);
    expect(text).not.toContain('assigneeId');
    expect(text).not.toContain('actorId');
    expect(text).not.toContain('13811112222');
    expect(text).not.toContain('李先生');
  });

  it('refuses a wrong token or unknown code with the same 404, and bad ones with 400', async () => {
    const filed = await report();
    const other = await report('另一处噪音');
    expect((await track(filed, other.trackingToken)).status).toBe(404);
    const unknown = await call<{ error: { code: string } }>(
      'GET',
      `/api/track/GL-200101-AAAAAA?token=${filed.trackingToken}`,
    );
    expect(unknown.status).toBe(404);
    expect((await track(filed, 'short')).status).toBe(400);
    expect((await call('GET', `/api/track/not-a-code?token=${filed.trackingToken}`)).status).toBe(
      400,
    );
    expect((await call('GET', `/api/track/${filed.ticket.code}`)).status).toBe(400);
  });

  it('pushes each public step live to the tracking socket, and nothing else', async () => {
    const filed = await report();
    const { socket, heard } = await trackerSocket(filed.trackingToken);
    const joined = await socket.emitWithAck('room.join', `ticket:${filed.ticket.id}`);
    expect(joined).toEqual({ ok: false, error: 'forbidden' });

    expect((await act(member, filed.ticket, 'accept')).status).toBe(200);
    await waitFor(() => heard.some((event) => event.entry.step === 'accepted'), 5000, 'accepted');
    expect((await act(community, filed.ticket, 'escalate', { reason: '内部督办' })).status).toBe(
      200,
    );
    expect((await act(member, filed.ticket, 'resolve', { note: '已劝导，音量调低' })).status).toBe(
      200,
    );
    const resolved = await waitFor(
      () => heard.find((event) => event.entry.step === 'resolved'),
      5000,
      'resolved',
    );
    expect(resolved).toMatchObject({
      code: filed.ticket.code,
      entry: { status: 'RESOLVED', note: '已劝导，音量调低' },
      ticket: { status: 'RESOLVED' },
    });
    // The escalation is internal: never pushed to the link, never on its timeline.
    expect(heard.map((event) => event.entry.step)).toEqual(['accepted', 'resolved']);
    expect(JSON.stringify(heard)).not.toMatch(/assigneeId|actorId|内部督办/);
    const view = await track(filed);
    expect(view.body.timeline.map((entry) => entry.step)).toEqual([
      'created',
      'assigned',
      'accepted',
      'resolved',
    ]);
    expect(view.body.options).toMatchObject({ canRate: true, canReopen: true });
  });

  it('turns away sockets without a valid tracking token', async () => {
    await expect(openSocket(system.baseUrl, { trackingToken: 'x'.repeat(32) })).rejects.toThrow(
      /unauthorized/,
    );
    await expect(openSocket(system.baseUrl, { trackingToken: '<script>' })).rejects.toThrow(
      /unauthorized/,
    );
  });

  it('adds up to 3 report photos through the link, served only through it', async () => {
    const filed = await report();
    const upload = () =>
      fetch(
        `${system.baseUrl}/api/track/${filed.ticket.code}/photos?token=${filed.trackingToken}`,
        { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photoWithGps },
      );
    const first = await upload();
    expect(first.status).toBe(201);
    const { photo } = (await first.json()) as { photo: { id: number; url: string; kind: string } };
    expect(photo.kind).toBe('REPORT');
    const served = await fetch(`${system.baseUrl}${photo.url}`);
    expect(served.status).toBe(200);
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(Buffer.from(bytes).toString('latin1')).not.toContain('GPS');
    const other = await report('别处');
    const foreign = photo.url.replace(filed.trackingToken, other.trackingToken);
    expect((await fetch(`${system.baseUrl}${foreign}`)).status).toBe(404);
    expect((await upload()).status).toBe(201);
    expect((await upload()).status).toBe(201);
    expect((await upload()).status).toBe(409);
    expect(
      await system.server.prisma.ticketPhoto.count({ where: { ticketId: filed.ticket.id } }),
    ).toBe(3);
    const notImage = await fetch(
      `${system.baseUrl}/api/track/${filed.ticket.code}/photos?token=${filed.trackingToken}`,
      { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: 'not an image' },
    );
    expect(notImage.status).toBe(422);
    expect((await track(filed)).body.photos).toHaveLength(3);
  });

  it('rates once through the link, which closes the ticket; bad input changes nothing', async () => {
    const filed = await report();
    await act(member, filed.ticket, 'accept');
    await act(member, filed.ticket, 'resolve', { note: '已处理' });
    const rate = (body: unknown) =>
      call<{ ticket?: { status: string }; error?: { code: string } }>(
        'POST',
        `/api/track/${filed.ticket.code}/rate?token=${filed.trackingToken}`,
        body,
      );
    expect((await rate({ rating: 'MEH' })).status).toBe(400);
    expect((await rate({ rating: 'GOOD', extra: 1 })).status).toBe(400);
    const before = await system.server.prisma.ticket.findUniqueOrThrow({
      where: { id: filed.ticket.id },
    });
    expect(before.rating).toBeNull();
    const rated = await rate({ rating: 'GOOD', comment: '很快，谢谢' });
    expect(rated.status).toBe(200);
    expect(rated.body.ticket?.status).toBe('CLOSED');
    expect((await rate({ rating: 'BAD' })).status).toBe(409);
    const view = await track(filed);
    expect(view.body.ticket).toMatchObject({ rating: 'GOOD', ratingComment: '很快，谢谢' });
    expect(view.body.timeline.at(-1)).toMatchObject({ step: 'rated', rating: 'GOOD' });
    expect(view.body.options.canRate).toBe(false);
    // Staff actions are not open to a link.
    const staffAction = await call(
      'POST',
      `/api/track/${filed.ticket.code}/close?token=${filed.trackingToken}`,
      {},
    );
    expect(staffAction.status).toBe(400);
  });

  it('reopens through the link with a reason, which starts a new round', async () => {
    const filed = await report();
    await act(member, filed.ticket, 'accept');
    await act(member, filed.ticket, 'resolve', { note: '已处理' });
    const reopen = (body: unknown) =>
      call<{ ticket?: { status: string } }>(
        'POST',
        `/api/track/${filed.ticket.code}/reopen?token=${filed.trackingToken}`,
        body,
      );
    expect((await reopen({})).status).toBe(400);
    const reopened = await reopen({ reason: '晚上又开始了' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.ticket?.status).toBe('REOPENED');
    const view = await track(filed);
    expect(view.body.timeline.at(-1)).toMatchObject({ step: 'reopened', note: '晚上又开始了' });
    const row = await system.server.prisma.ticket.findUniqueOrThrow({
      where: { id: filed.ticket.id },
    });
    expect(row.reopenCount).toBe(1);
    expect(row.acceptBy?.getTime()).toBeGreaterThan(Date.now());
  });

  it('a second resident offered the likely duplicate follows it instead, read only', async () => {
    const first = await report('小区门口垃圾堆放', 'GARBAGE');
    const nearby = await call<{ duplicates: Array<{ id: number; code: string }> }>(
      'GET',
      `/api/tickets/duplicates?categoryCode=GARBAGE&lat=${where.lat}&lng=${where.lng + 0.0003}`,
    );
    const offered = nearby.body.duplicates.find((item) => item.code === first.ticket.code);
    expect(offered).toBeDefined();
    const tickets = await system.server.prisma.ticket.count();
    const followed = await call<{ code: string; trackingToken: string }>(
      'POST',
      `/api/tickets/${offered!.id}/follow`,
    );
    expect(followed.status).toBe(201);
    expect(followed.body.code).toBe(first.ticket.code);
    expect(await system.server.prisma.ticket.count()).toBe(tickets);
    const link = { ticket: first.ticket, trackingToken: followed.body.trackingToken };
    const view = await track(link);
    expect(view.status).toBe(200);
    expect(view.body.holder).toBe('follower');
    const { heard } = await trackerSocket(followed.body.trackingToken);
    expect((await act(member, first.ticket, 'accept')).status).toBe(200);
    await waitFor(() => heard.some((event) => event.entry.step === 'accepted'), 5000, 'accepted');
    await act(member, first.ticket, 'resolve', { note: '已清运' });
    await waitFor(() => heard.some((event) => event.entry.step === 'resolved'), 5000, 'resolved');
    expect((await track(link)).body.options).toMatchObject({ canRate: false, canReopen: false });
    const rate = await call(
      'POST',
      `/api/track/${first.ticket.code}/rate?token=${followed.body.trackingToken}`,
      { rating: 'BAD' },
    );
    expect(rate.status).toBe(403);
    expect((await track(first)).body.options.canRate).toBe(true);
    // A follower's token opens only the ticket it follows.
    const other = await report('别的事');
    expect((await track({ ...other, trackingToken: followed.body.trackingToken })).status).toBe(
      404,
    );
    expect((await call('POST', `/api/tickets/${first.ticket.id}/follow`)).status).toBe(409);
    expect((await call('POST', '/api/tickets/2147483647/follow')).status).toBe(404);
    expect((await call('POST', '/api/tickets/abc/follow')).status).toBe(400);
  });

  it('limits how many follows one address starts in an hour', async () => {
    const open = await report('限流测试');
    const followers = () =>
      system.server.prisma.ticketFollower.count({ where: { ticketId: open.ticket.id } });
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) {
      statuses.push((await call('POST', `/api/tickets/${open.ticket.id}/follow`)).status);
    }
    // Earlier tests of this file followed from the same address, so the limit comes sooner.
    expect(statuses).toContain(429);
    expect(statuses.slice(statuses.indexOf(429)).every((status) => status === 429)).toBe(true);
    expect(await followers()).toBe(statuses.filter((status) => status === 201).length);
  });

  it('a merged duplicate follows its original, live', async () => {
    const original = await report('同一处噪音 A');
    const duplicate = await report('同一处噪音 B');
    const { heard } = await trackerSocket(duplicate.trackingToken);
    const merged = await act(community, duplicate.ticket, 'merge', {
      intoId: original.ticket.id,
    });
    expect(merged.status).toBe(200);
    await waitFor(() => heard.some((event) => event.entry.step === 'merged'), 5000, 'merged');
    expect((await act(member, original.ticket, 'accept')).status).toBe(200);
    const accepted = await waitFor(
      () => heard.find((event) => event.entry.step === 'accepted'),
      5000,
      'the original accepted',
    );
    expect(accepted.code).toBe(original.ticket.code);
    const view = await track(duplicate);
    expect(view.body.ticket.status).toBe('DUPLICATE');
    expect(view.body.timeline.at(-1)).toMatchObject({
      step: 'merged',
      intoCode: original.ticket.code,
    });
    expect(view.body.follows).toMatchObject({ code: original.ticket.code, status: 'ACCEPTED' });
  });
});
