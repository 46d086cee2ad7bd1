import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@gridline/core';
import { startSystem, type Session, type TestSystem } from './support/system.ts';
import { photoWithGps } from './support/images.ts';

/** The JPEG with its start-of-frame segment cut out. */
function withoutFrame(jpeg: Uint8Array): Uint8Array {
  for (let offset = 2; offset + 4 <= jpeg.length; ) {
    const length = (jpeg[offset + 2]! << 8) | jpeg[offset + 3]!;
    if (jpeg[offset + 1] === 0xc0)
      return Uint8Array.from([...jpeg.subarray(0, offset), ...jpeg.subarray(offset + 2 + length)]);
    offset += 2 + length;
  }
  throw new Error('no frame to cut');
}

describe('ticket photos', () => {
  let system: TestSystem;
  let member: Session;
  let dispatcher: Session;
  let stranger: Session;
  let ticket: TicketSummary;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    member = await system.login('member');
    dispatcher = await system.login('dispatcher');
    stranger = await system.login('dsp-210303');
    const grid = await member.get<{ region: { centroid: { lat: number; lng: number } } }>(
      `/api/regions/${member.user.regionId}`,
    );
    const created = await member.post<{ ticket: TicketSummary }>('/api/tickets', {
      categoryCode: 'ROAD_DAMAGE',
      channel: 'PATROL',
      description: '路面塌陷',
      location: grid.body.region.centroid,
    });
    ticket = created.body.ticket;
  });
  afterAll(() => system?.close());

  const upload = (session: Session | null, bytes: Uint8Array, type = 'image/jpeg') =>
    fetch(`${system.baseUrl}/api/tickets/${ticket.id}/photos`, {
      method: 'POST',
      headers: { 'content-type': type, ...(session ? { cookie: session.cookie } : {}) },
      body: bytes,
    });

  it('stores a resolution photo without its EXIF and serves it only to those who may see the ticket', async () => {
    const response = await upload(member, photoWithGps, 'application/octet-stream');
    expect(response.status).toBe(201);
    const { photo } = (await response.json()) as {
      photo: { url: string; kind: string; mime: string };
    };
    expect(photo).toMatchObject({ kind: 'RESOLUTION', mime: 'image/jpeg' });

    const served = await fetch(`${system.baseUrl}${photo.url}`, {
      headers: { cookie: dispatcher.cookie },
    });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.toString('latin1')).not.toContain('GPS');
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    expect(
      (await fetch(`${system.baseUrl}${photo.url}`, { headers: { cookie: stranger.cookie } }))
        .status,
    ).toBe(403);
    expect((await fetch(`${system.baseUrl}${photo.url}`)).status).toBe(401);
    const detail = await dispatcher.get<{ ticket: { photos: Array<{ url: string }> } }>(
      `/api/tickets/${ticket.id}`,
    );
    expect(detail.body.ticket.photos.map((p) => p.url)).toEqual([photo.url]);
  });

  it('refuses what is not an image, oversized bodies, strangers and a seventh photo, storing nothing', async () => {
    const count = () => system.server.prisma.ticketPhoto.count({ where: { ticketId: ticket.id } });
    const before = await count();
    expect(
      (
        await upload(
          member,
          Uint8Array.from(Buffer.from('<svg onload="alert(1)"/>')),
          'image/svg+xml',
        )
      ).status,
    ).toBe(422);
    expect(
      (await upload(member, Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff]))).status,
    ).toBe(422);
    // Well-formed segments, but no frame: it only starts like a photo.
    expect((await upload(member, withoutFrame(photoWithGps))).status).toBe(422);
    expect((await upload(member, new Uint8Array(0))).status).toBe(400);
    const huge = new Uint8Array(10 * 1024 * 1024 + 1);
    huge.set(photoWithGps);
    expect((await upload(member, huge)).status).toBe(413);
    expect((await upload(stranger, photoWithGps)).status).toBe(403);
    expect((await upload(null, photoWithGps)).status).toBe(401);
    expect(await count()).toBe(before);
    for (let n = before; n < 6; n++) expect((await upload(member, photoWithGps)).status).toBe(201);
    expect((await upload(member, photoWithGps)).status).toBe(409);
    expect(await count()).toBe(6);
  });
});
